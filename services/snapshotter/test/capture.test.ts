/**
 * The snapshotter end to end against real Redis, the embedded S3 server and Chromium: a job on
 * the snapshots queue ends as one message on the results queue, with its artifacts stored.
 * Name resolution is faked (every name fails), so nothing but 127.0.0.1 is ever reached.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  blobKey,
  type Config,
  type ObjectStorage,
  parseConfig,
  RESULTS_QUEUE,
  redisOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  type SnapshotResult,
  storageFromConfig,
} from '@linksnap/shared';
import { type ConnectionOptions, Queue } from 'bullmq';
import {
  closedPort,
  type FixtureServer,
  SIMPLE_PAGE_TEXT,
  SIMPLE_PAGE_TITLE,
  simplePage,
  startFixtureServer,
} from '../../../test/support/fixture-server.js';
import { imageSize } from '../../../test/support/image-size.js';
import { startTestS3, testEnv } from '../../../test/support/services.js';
import { enqueueSnapshot, waitForResult } from '../../../test/support/snapshotter-harness.js';
import { type Snapshotter, startSnapshotter } from '../src/worker.js';

type EmbeddedS3 = Awaited<ReturnType<typeof startTestS3>>;

describe('snapshotter', () => {
  let s3: EmbeddedS3;
  let fixture: FixtureServer;
  /** Not allow-listed: must never see a request. */
  let forbidden: FixtureServer;
  let deadPort: number;
  let config: Config;
  let snapshotter: Snapshotter;
  let jobs: Queue<SnapshotJob>;
  let results: Queue<SnapshotResult>;
  let storage: ObjectStorage;

  before(async () => {
    s3 = await startTestS3();
    fixture = await startFixtureServer();
    forbidden = await startFixtureServer();
    deadPort = await closedPort();
    config = parseConfig(
      testEnv({
        s3,
        databaseUrl: null,
        allow: [fixture.hostPort, `127.0.0.1:${deadPort}`],
        extra: {
          CAPTURE_ATTEMPTS: '2',
          CAPTURE_BACKOFF_MS: '100',
          CAPTURE_TIMEOUT_MS: '20000',
          CAPTURE_CONCURRENCY: '2',
        },
      }),
    );
    const connection = redisOptions(config.REDIS_URL as string) as ConnectionOptions;
    jobs = new Queue(SNAPSHOTS_QUEUE, { prefix: config.QUEUE_PREFIX, connection });
    results = new Queue(RESULTS_QUEUE, { prefix: config.QUEUE_PREFIX, connection });
    storage = storageFromConfig(config);
    snapshotter = await startSnapshotter(config, {
      resolver: async (name) => {
        throw new Error(`tests resolve no names (${name})`);
      },
    });
  });

  after(async () => {
    await snapshotter?.close();
    await jobs?.obliterate({ force: true });
    await results?.obliterate({ force: true });
    await Promise.allSettled([jobs?.close(), results?.close()]);
    await Promise.allSettled([fixture?.close(), forbidden?.close(), s3?.close()]);
  });

  const enqueue = (url: string) => enqueueSnapshot(jobs, config, url);
  const resultOf = (snapshotId: string, timeoutMs = 30_000) => waitForResult(results, snapshotId, timeoutMs);

  test('captures a page into every default artifact and reports success', async () => {
    const snapshotId = await enqueue(fixture.url('/simple'));
    const result = await resultOf(snapshotId);
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.missing));
    assert.equal(result.attempts, 1);
    assert.equal(result.title, SIMPLE_PAGE_TITLE);
    assert.equal(result.httpStatus, 200);
    assert.equal(result.finalUrl, fixture.url('/simple'));
    assert.equal(result.lang, 'en');
    assert.match(result.contentType ?? '', /text\/html/);
    assert.ok(result.timings.navigate !== undefined && result.timings.upload !== undefined);

    const kinds = result.artifacts.map((a) => a.kind).sort();
    assert.deepEqual(kinds, [
      'html',
      'metadata',
      'mhtml',
      'pdf',
      'readable',
      'report',
      'screenshot',
      'text',
      'thumbnail',
      'wacz',
    ]);
    assert.ok(result.text?.includes(SIMPLE_PAGE_TEXT), 'the result row holds the readable text');
    const bodies = new Map<string, Buffer>();
    for (const artifact of result.artifacts) {
      assert.equal(artifact.key, blobKey(artifact.sha256), 'content-addressed (ADR 0017)');
      const body = await storage.getBuffer(artifact.key);
      assert.equal(body.length, artifact.bytes, artifact.kind);
      assert.equal(createHash('sha256').update(body).digest('hex'), artifact.sha256, artifact.kind);
      bodies.set(artifact.kind, body);
    }
    assert.equal(imageSize(bodies.get('screenshot') as Buffer).format, 'webp');
    assert.equal(result.artifacts.find((a) => a.kind === 'screenshot')?.contentType, 'image/webp');
    assert.equal((bodies.get('pdf') as Buffer).subarray(0, 4).toString('latin1'), '%PDF');
    // MHTML parts are quoted-printable: soft line breaks may split the text.
    const mhtml = (bodies.get('mhtml') as Buffer).toString('utf8').replace(/=\r?\n/g, '');
    assert.ok(mhtml.includes(SIMPLE_PAGE_TEXT), 'mhtml holds the page text');
    assert.ok((bodies.get('html') as Buffer).toString('utf8').includes(SIMPLE_PAGE_TEXT));
    const metadata = JSON.parse((bodies.get('metadata') as Buffer).toString('utf8'));
    assert.equal(metadata.title, SIMPLE_PAGE_TITLE);
    assert.equal(metadata.description, 'A fixture page for capture tests.');
    assert.equal(metadata.httpStatus, 200);
  });

  test('a 404 page is still captured, with its status recorded', async () => {
    const result = await resultOf(await enqueue(fixture.url('/not-found')));
    assert.equal(result.status, 'succeeded');
    assert.equal(result.httpStatus, 404);
    assert.equal(result.artifacts.length, 10);
  });

  test('an unreachable port fails with CONNECTION_FAILED after every attempt', async () => {
    const result = await resultOf(await enqueue(`http://127.0.0.1:${deadPort}/`));
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'CONNECTION_FAILED');
    assert.equal(result.attempts, config.CAPTURE_ATTEMPTS);
    assert.deepEqual(result.artifacts, []);
  });

  test('a 500 page is captured as an error page, with its status recorded', async () => {
    fixture.route('/server-error', (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Fixture: broken</title><p>Internal trouble on the server side.</p>');
    });
    const result = await resultOf(await enqueue(fixture.url('/server-error')));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.missing));
    assert.equal(result.httpStatus, 500);
    assert.ok(result.artifacts.some((a) => a.kind === 'screenshot'));
  });

  test('a server that resets the connection fails with CONNECTION_FAILED; the proxy page is never archived', async () => {
    fixture.route('/reset', (req) => req.socket.resetAndDestroy());
    const result = await resultOf(await enqueue(fixture.url('/reset')));
    assert.equal(result.status, 'failed', `archived: ${result.text}`);
    assert.equal(result.error?.code, 'CONNECTION_FAILED');
    assert.equal(result.attempts, config.CAPTURE_ATTEMPTS);
    assert.deepEqual(result.artifacts, []);
    assert.equal(result.text, null);
    assert.ok((fixture.hits.get('/reset') ?? 0) >= config.CAPTURE_ATTEMPTS, 'every attempt reached the server');
  });

  test('a target sending the egress headers itself is captured as its own page', async () => {
    fixture.route('/spoof', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-egress-error': 'CONNECTION_FAILED' });
      res.end(simplePage('Fixture: spoofed header'));
    });
    const result = await resultOf(await enqueue(fixture.url('/spoof')));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error));
    assert.equal(result.title, 'Fixture: spoofed header');
  });

  test('a loopback target outside the allow list fails with SSRF_BLOCKED, once, unseen', async () => {
    const snapshotId = await enqueue(forbidden.url('/simple'));
    const result = await resultOf(snapshotId);
    assert.equal(result.status, 'failed');
    assert.equal(result.error?.code, 'SSRF_BLOCKED');
    assert.equal(result.attempts, 1);
    // The result is sent just before BullMQ records the failed attempt: wait for the record.
    let job = await jobs.getJob(snapshotId);
    for (let i = 0; i < 50 && job?.attemptsMade !== 1; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = await jobs.getJob(snapshotId);
    }
    assert.equal(job?.attemptsMade, 1);
    assert.equal(
      [...forbidden.hits.values()].reduce((a, b) => a + b, 0),
      0,
    );
  });
});
