/**
 * The `wacz` artifact end to end: the archive fixture page captured by the snapshotter (real
 * Redis, S3 server, Chromium, egress guard), then the stored package read back as a third party
 * would: the WARC parses with warcio and holds every resource with a correct payload digest,
 * datapackage.json's hashes match, the signature verifies, and one flipped byte fails.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AppError, blobKey, type SnapshotResult, verifyWacz, WACZ_CONTENT_TYPE } from '@linksnap/shared';
import { unzipSync } from 'fflate';
import { WARCParser, type WARCRecord } from 'warcio';
import {
  ARCHIVE_FONT,
  addArchiveRoutes,
  BINARY_BODY,
  GZIP_TEXT,
  LARGE_BODY,
  RECORD_CAP_FOR_TESTS,
  RED_PIXEL_PNG,
} from '../../../test/support/archive-fixture.js';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type SnapshotterHarness, startSnapshotterHarness } from '../../../test/support/snapshotter-harness.js';

interface ReadRecord {
  type: string;
  url: string;
  status: number | null;
  digest: string | null;
  truncated: string | null;
  profile: string | null;
  refersToUrl: string | null;
  refersToDate: string | null;
  payload: Buffer;
}

async function readWarc(warc: Uint8Array): Promise<ReadRecord[]> {
  const records: ReadRecord[] = [];
  for await (const record of WARCParser.iterRecords([warc]) as AsyncIterable<WARCRecord>) {
    const payload = Buffer.from(await record.readFully(false));
    records.push({
      type: record.warcType,
      url: record.warcTargetURI ?? '',
      status: record.httpHeaders ? Number(record.httpHeaders.statusCode) : null,
      digest: record.warcPayloadDigest ?? null,
      truncated: record.warcHeader('WARC-Truncated') ?? null,
      profile: record.warcHeader('WARC-Profile') ?? null,
      refersToUrl: record.warcRefersToTargetURI ?? null,
      refersToDate: record.warcRefersToDate ?? null,
      payload,
    });
  }
  return records;
}

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('wacz artifact', () => {
  let fixture: FixtureServer;
  /** Not allow-listed: the egress guard refuses it, so it must never see a request. */
  let forbidden: FixtureServer;
  let harness: SnapshotterHarness;
  let result: SnapshotResult;
  let refusing: Promise<SnapshotResult>;
  let wacz: Buffer;

  before(async () => {
    fixture = await startFixtureServer();
    forbidden = await startFixtureServer();
    addArchiveRoutes(fixture);
    fixture.route('/archive/refusing', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>refusing</title><p>Two images the guard refuses.
<img src="${forbidden.url('/secret.png')}"><img src="http://assets.external.test/pic.png">`);
    });
    harness = await startSnapshotterHarness({
      allow: [fixture.hostPort],
      extra: { RECORD_BODY_MAX_BYTES: String(RECORD_CAP_FOR_TESTS), CAPTURE_TIMEOUT_MS: '30000' },
    });
    const [page, refused] = await Promise.all([
      harness.enqueue(fixture.url('/archive/page')),
      harness.enqueue(fixture.url('/archive/refusing')),
    ]);
    refusing = harness.resultOf(refused, 150_000);
    result = await harness.resultOf(page, 150_000);
    wacz = await harness.artifact(result, 'wacz');
  });
  after(async () => {
    await harness?.close();
    await Promise.allSettled([fixture?.close(), forbidden?.close()]);
  });

  test('is stored as application/wacz+zip with the WACZ 1.1.1 layout', () => {
    assert.equal(result.status, 'succeeded', JSON.stringify(result.missing));
    const artifact = result.artifacts.find((a) => a.kind === 'wacz');
    assert.equal(artifact?.contentType, WACZ_CONTENT_TYPE);
    assert.equal(artifact?.key, blobKey(artifact?.sha256 ?? ''), 'content-addressed (ADR 0017)');
    const files = Object.keys(unzipSync(wacz)).sort();
    assert.deepEqual(files, [
      'archive/data.warc.gz',
      'datapackage-digest.json',
      'datapackage.json',
      'indexes/index.cdxj',
      'pages/pages.jsonl',
    ]);
  });

  test('the WARC parses with warcio and holds every resource with a correct payload digest', async () => {
    const files = unzipSync(wacz);
    const records = await readWarc(files['archive/data.warc.gz'] as Uint8Array);
    assert.equal(records[0]?.type, 'warcinfo');
    const responses = records.filter((r) => r.type === 'response');
    const response = (path: string) => responses.find((r) => r.url === fixture.url(path));
    for (const path of [
      '/archive/page',
      '/archive/style.css',
      '/archive/image',
      '/archive/pixel.png',
      '/archive/font.ttf',
      '/archive/paragraph.json',
    ]) {
      const found = response(path);
      assert.ok(found, `a response record for ${path}`);
      assert.equal(found.digest, sha256(found.payload), `payload digest of ${path}`);
      assert.ok(
        records.some((r) => r.type === 'request' && r.url === found.url),
        `a request record for ${path}`,
      );
    }
    assert.equal(response('/archive/image')?.status, 302);
    assert.deepEqual(response('/archive/pixel.png')?.payload, RED_PIXEL_PNG);
    assert.deepEqual(response('/archive/font.ttf')?.payload, ARCHIVE_FONT);
    assert.deepEqual(response('/archive/binary.bin')?.payload, BINARY_BODY);
    assert.equal(response('/archive/gzip.txt')?.payload.toString('utf8'), GZIP_TEXT);
    const large = response('/archive/large.bin');
    assert.equal(large?.truncated, 'length');
    assert.deepEqual(large?.payload, LARGE_BODY.subarray(0, RECORD_CAP_FOR_TESTS));
    assert.equal(large?.digest, sha256(large?.payload ?? Buffer.alloc(0)));

    const cdxj = Buffer.from(files['indexes/index.cdxj'] as Uint8Array).toString('utf8');
    assert.match(cdxj, /\/archive\/pixel\.png/);
    const pages = Buffer.from(files['pages/pages.jsonl'] as Uint8Array)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    assert.equal(pages[1]?.url, fixture.url('/archive/page'));
    assert.equal(pages[1]?.title, 'Fixture: an archived page');
  });

  test('datapackage.json hashes match and the signature verifies with the instance key', () => {
    const files = unzipSync(wacz);
    const datapackage = JSON.parse(Buffer.from(files['datapackage.json'] as Uint8Array).toString('utf8'));
    assert.equal(datapackage.wacz_version, '1.1.1');
    for (const resource of datapackage.resources) {
      assert.equal(resource.hash, sha256(files[resource.path] as Uint8Array), resource.path);
    }
    const verified = verifyWacz(wacz, { trustedKeys: [harness.snapshotter.signingPublicKey] });
    assert.equal(verified.files.length, 3);
  });

  test('one flipped byte fails verification with ARCHIVE_TAMPERED', () => {
    const warcStart = wacz.indexOf(Buffer.from('archive/data.warc.gz')) + 200;
    const flipped = Buffer.from(wacz);
    flipped[warcStart] = (flipped[warcStart] as number) ^ 0x01;
    assert.throws(
      () => verifyWacz(flipped),
      (err) => err instanceof AppError && err.code === 'ARCHIVE_TAMPERED' && /data\.warc\.gz/.test(err.detail),
    );
  });

  test('requests the egress guard refused are in the report, never in the WARC', async () => {
    const refused = await refusing;
    assert.equal(refused.status, 'succeeded', JSON.stringify(refused.missing));
    const files = unzipSync(await harness.artifact(refused, 'wacz'));
    const records = await readWarc(files['archive/data.warc.gz'] as Uint8Array);
    const urls = new Set(records.filter((r) => r.type !== 'warcinfo').map((r) => r.url));
    // Chromium asks the page's own host for /favicon.ico after load, so whether that allowed
    // exchange lands before the recording stops is a matter of timing; nothing else may.
    const favicon = fixture.url('/favicon.ico');
    assert.ok(urls.has(fixture.url('/archive/refusing')), [...urls].join(' '));
    assert.deepEqual(
      [...urls].filter((url) => url !== favicon),
      [fixture.url('/archive/refusing')],
    );
    assert.equal(forbidden.hits.size, 0, 'the forbidden server saw no request');
    const report = JSON.parse((await harness.artifact(refused, 'report')).toString('utf8'));
    const listed = JSON.stringify([...report.failedRequests, ...report.blockedRequests]);
    assert.match(listed, new RegExp(forbidden.hostPort));
    assert.match(listed, /assets\.external\.test/);
    assert.equal(report.recording.exchanges, urls.size);
  });
  test('a re-capture refers to payloads the earlier archive holds with revisit records', async () => {
    const first = result.artifacts.find((a) => a.kind === 'wacz');
    assert.ok(first);
    const base = { snapshotId: result.snapshotId, key: first.key, sha256: first.sha256, bytes: first.bytes };
    const [written] = await harness.storage.listDetailed(first.key);
    await new Promise((r) => setTimeout(r, 1_100)); // S3 times have one-second resolution
    const again = await harness.resultOf(
      await harness.enqueue(fixture.url('/archive/page'), { archiveBases: [base] }),
      150_000,
    );
    assert.equal(again.status, 'succeeded', JSON.stringify(again.missing));
    assert.deepEqual(again.archiveBases, [base], 'the result names the archive its revisits need');
    const [rewritten] = await harness.storage.listDetailed(first.key);
    assert.ok(
      written && rewritten && rewritten.lastModified > written.lastModified,
      'the base is written again, so the sweeper grace covers it until the result is applied',
    );
    const archived = await readWarc(unzipSync(wacz)['archive/data.warc.gz'] as Uint8Array);
    const originals = new Map(archived.filter((r) => r.type === 'response').map((r) => [r.digest, r]));
    const records = await readWarc(
      unzipSync(await harness.artifact(again, 'wacz'))['archive/data.warc.gz'] as Uint8Array,
    );
    const revisits = records.filter((r) => r.type === 'revisit');
    const pixel = revisits.find((r) => r.url === fixture.url('/archive/pixel.png'));
    assert.ok(pixel, `the unchanged image is a revisit: ${records.map((r) => `${r.type} ${r.url}`).join(', ')}`);
    for (const r of revisits) {
      assert.equal(r.payload.length, 0, `${r.url}: no payload`);
      assert.equal(r.profile, 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest');
      const original = originals.get(r.digest);
      assert.ok(original, `${r.url}: its digest is an original response's`);
      assert.equal(r.refersToUrl, original.url);
      assert.match(r.refersToDate ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // A cut body is never a revisit (its digest is not the payload's).
    assert.ok(records.some((r) => r.type === 'response' && r.truncated !== null));
  });
});
