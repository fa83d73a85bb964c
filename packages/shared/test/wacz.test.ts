/**
 * WACZ packing, signing and verification without a browser: a package verifies as written and
 * every kind of change to it fails with a catalog error that names what changed.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { unzipSync, zipSync } from 'fflate';
import { tempDir } from '../../../test/support/services.js';
import {
  AppError,
  loadArchiveSigner,
  packWacz,
  SIGNING_KEY_FILE,
  signerFromKey,
  verifyArchiveSignature,
  verifyWacz,
} from '../src/index.js';

const signer = signerFromKey(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey);
const WARC = Buffer.from('WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n(not a real warc; only its bytes matter here)');

function sample(): Buffer {
  return packWacz({
    warc: WARC,
    cdxj: 'com,example)/ 20261204000000 {"url":"https://example.com/"}\n',
    page: { url: 'https://example.com/', title: 'Example', ts: new Date('2026-12-04T00:00:00Z') },
    software: 'test',
    created: new Date('2026-12-04T00:00:01Z'),
    signer,
  });
}

function rezip(wacz: Buffer, change: (files: Record<string, Uint8Array>) => void): Buffer {
  const files = unzipSync(wacz);
  change(files);
  return Buffer.from(zipSync(files, { level: 0 }));
}

function tampered(detail: RegExp) {
  return (err: unknown) => err instanceof AppError && err.code === 'ARCHIVE_TAMPERED' && detail.test(err.detail);
}

describe('wacz', () => {
  it('verifies a package as written, with its key and files', () => {
    const verified = verifyWacz(sample(), { trustedKeys: [signer.publicKey] });
    assert.equal(verified.publicKey, signer.publicKey);
    assert.deepEqual(verified.files, ['archive/data.warc.gz', 'indexes/index.cdxj', 'pages/pages.jsonl']);
    assert.equal(verified.created, '2026-12-04T00:00:01.000Z');
  });

  it('stores entries uncompressed, so the WARC can be read by range', () => {
    const wacz = sample();
    // Local file header: method at offset 8 (0 = stored).
    assert.equal(wacz.readUInt32LE(0), 0x04034b50);
    assert.equal(wacz.readUInt16LE(8), 0);
    assert.ok(wacz.includes(WARC), 'the WARC bytes appear as they are');
  });

  it('fails on one flipped byte in the WARC', () => {
    const wacz = sample();
    const at = wacz.indexOf(WARC) + 10;
    wacz[at] = (wacz[at] as number) ^ 0x20;
    assert.throws(() => verifyWacz(wacz), tampered(/archive\/data\.warc\.gz does not match/));
  });

  it('fails when datapackage.json is rewritten to match a changed file', () => {
    const wacz = rezip(sample(), (files) => {
      const manifest = JSON.parse(Buffer.from(files['datapackage.json'] as Uint8Array).toString('utf8'));
      manifest.title = 'Something else';
      files['datapackage.json'] = Buffer.from(JSON.stringify(manifest));
    });
    assert.throws(() => verifyWacz(wacz), tampered(/datapackage\.json does not match the hash/));
  });

  it('fails when the digest is re-hashed but not re-signed', () => {
    const other = signerFromKey(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey);
    const wacz = rezip(sample(), (files) => {
      const digest = JSON.parse(Buffer.from(files['datapackage-digest.json'] as Uint8Array).toString('utf8'));
      digest.signedData.publicKey = other.publicKey;
      files['datapackage-digest.json'] = Buffer.from(JSON.stringify(digest));
    });
    assert.throws(() => verifyWacz(wacz), tampered(/signature .* does not verify/));
  });

  it('fails on a file added to the package, and on a key it does not trust', () => {
    const added = rezip(sample(), (files) => {
      files['archive/extra.warc.gz'] = Buffer.from('smuggled');
    });
    assert.throws(() => verifyWacz(added), tampered(/extra\.warc\.gz is in the archive but not/));
    assert.throws(() => verifyWacz(sample(), { trustedKeys: ['somebody else'] }), tampered(/not by a key/));
  });

  it('says ARCHIVE_INVALID for something that is not a zip', () => {
    assert.throws(
      () => verifyWacz(Buffer.from('hello')),
      (err) => err instanceof AppError && err.code === 'ARCHIVE_INVALID',
    );
  });

  it('creates the instance key once in DATA_DIR (mode 0600) and reuses it', () => {
    const dir = tempDir('linksnap-key-');
    const first = loadArchiveSigner({ DATA_DIR: dir, ARCHIVE_SIGNING_KEY: undefined });
    const second = loadArchiveSigner({ DATA_DIR: dir, ARCHIVE_SIGNING_KEY: undefined });
    assert.equal(first.publicKey, second.publicKey);
    assert.equal(statSync(path.join(dir, SIGNING_KEY_FILE)).mode & 0o777, 0o600);
    const pem = readFileSync(path.join(dir, SIGNING_KEY_FILE), 'utf8');
    const configured = loadArchiveSigner({ DATA_DIR: '/nonexistent', ARCHIVE_SIGNING_KEY: pem.replace(/\n/g, '\\n') });
    assert.equal(configured.publicKey, first.publicKey);
    const signature = configured.sign('sha256:abc');
    assert.ok(verifyArchiveSignature('sha256:abc', signature, first.publicKey));
    assert.ok(!verifyArchiveSignature('sha256:abd', signature, first.publicKey));
  });
});
