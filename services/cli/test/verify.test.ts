/**
 * `snap verify` on files: a package as written verifies (and names its key), one flipped byte
 * and a foreign key are refused with the catalog's words and exit code 1, all offline.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { packWacz, signerFromKey } from '@linksnap/shared';
import { tempDir } from '../../../test/support/services.js';
import { type Io, main } from '../src/main.js';

const signer = signerFromKey(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey);
const WARC = Buffer.from('WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\nbytes that the signature covers');

function io(): Io & { out: string; err: string } {
  const captured = { out: '', err: '' };
  const append = (stream: 'out' | 'err') => (s: string) => {
    captured[stream] += s;
    return true;
  };
  return Object.assign(captured, {
    stdout: { write: append('out') },
    stderr: { write: append('err') },
    env: { HOME: os.tmpdir() },
  });
}

function waczFile(change?: (bytes: Buffer) => void): string {
  const bytes = packWacz({
    warc: WARC,
    cdxj: '',
    page: { url: 'https://example.com/', title: null, ts: new Date() },
    software: 'test',
    created: new Date(),
    signer,
  });
  change?.(bytes);
  const file = path.join(tempDir('linksnap-verify-'), 'snapshot.wacz');
  writeFileSync(file, bytes);
  return file;
}

describe('snap verify', () => {
  it('accepts a package as written, with the instance key', async () => {
    const out = io();
    assert.equal(await main(['verify', waczFile(), '--key', signer.publicKey], out), 0);
    assert.match(out.out, /snapshot\.wacz: valid/);
    assert.match(out.out, /the key is the one given with --key/);
  });

  it('refuses a package with one flipped byte', async () => {
    const out = io();
    const file = waczFile((bytes) => {
      const at = bytes.indexOf(WARC) + 5;
      bytes[at] = (bytes[at] as number) ^ 0x01;
    });
    assert.equal(await main(['verify', file, '--json'], out), 1);
    assert.match(out.err, /changed after it was signed.*archive\/data\.warc\.gz does not match/);
    assert.equal(JSON.parse(out.out).code, 'ARCHIVE_TAMPERED');
  });

  it('refuses a package signed by another key', async () => {
    const other = signerFromKey(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey);
    const out = io();
    assert.equal(await main(['verify', waczFile(), '--key', other.publicKey], out), 1);
    assert.match(out.err, /not by a key this instance trusts/);
  });

  it('is a usage error without a file', async () => {
    const out = io();
    assert.equal(await main(['verify'], out), 2);
  });
});
