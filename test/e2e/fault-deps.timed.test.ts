/**
 * Fault tolerance of the dependencies: Redis restarted for 10 s under load (a private
 * redis-server), PostgreSQL unreachable for 10 s (a loopback TCP proxy cut in front of it) and
 * object storage down mid-capture (the S3 server closed and restarted on the same port and
 * directory). The API answers 503 problem+json with Retry-After meanwhile (except status polls
 * of unfinished captures, answered from Redis without PostgreSQL), never hangs and never 500s;
 * workers reconnect by themselves; no job is lost.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmbeddedRedis, startEmbeddedRedis } from '@linksnap/api/embedded/redis-server';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { assertRowMatchesObjects, RestartableS3, sleep, TcpProxy, waitFor } from '../support/faults.js';
import { type FixtureServer, simplePage, startFixtureServer } from '../support/fixture-server.js';
import { tempDir, testDatabaseVia } from '../support/services.js';
import { type ApiResponse, Stack } from '../support/stack.js';

const LOCK_MS = 3_000;
const STALLED_MS = 3_000;

/** A request that must come back quickly, as 503 problem+json with Retry-After. */
async function expectUnavailable(what: string, call: () => Promise<ApiResponse>): Promise<number> {
  const t0 = Date.now();
  const res = await Promise.race([
    call(),
    sleep(8_000).then(() => {
      throw new Error(`${what} hung for 8 s`);
    }),
  ]);
  const ms = Date.now() - t0;
  assert.equal(res.status, 503, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(res.contentType, /application\/problem\+json/);
  assert.equal(res.body.code, 'SERVICE_UNAVAILABLE');
  assert.ok(Number(res.headers.get('retry-after')) > 0, `${what}: Retry-After`);
  assert.ok(ms < 6_000, `${what} answered after ${ms} ms`);
  return ms;
}

/**
 * A status poll while PostgreSQL is down: an unfinished capture is answered from Redis alone
 * (200, still queued or active); one whose result is on its way needs PostgreSQL (503). Quickly.
 */
async function expectPollWithoutDatabase(what: string, call: () => Promise<ApiResponse>): Promise<number> {
  const t0 = Date.now();
  const res = await call();
  if (res.status !== 200) return expectUnavailable(what, async () => res).then(() => Date.now() - t0);
  const ms = Date.now() - t0;
  assert.ok(['queued', 'active'].includes(res.body.state), `${what}: ${JSON.stringify(res.body)}`);
  assert.ok(ms < 6_000, `${what} answered after ${ms} ms`);
  return ms;
}

describe('fault: Redis, PostgreSQL and object storage outages', () => {
  let fixture: FixtureServer;
  before(async () => {
    fixture = await startFixtureServer();
    for (let i = 0; i < 12; i++) fixture.route(`/load-${i}`, delayedPage(1_500, `Load ${i}`));
    for (let i = 0; i < 6; i++) fixture.route(`/pg-${i}`, delayedPage(1_000, `PG ${i}`));
    fixture.route('/s3-slow', delayedPage(3_000, 'Stored after the outage'));
  });
  after(() => fixture?.close());

  it('survives a 10 s Redis restart under load', async () => {
    const dir = path.join(tempDir('linksnap-redis-'), 'redis');
    let redis: EmbeddedRedis = await startEmbeddedRedis({ directory: dir });
    const stack = await Stack.start({
      allow: [fixture.hostPort],
      snapshotters: 2,
      env: {
        REDIS_URL: redis.url,
        JOB_LOCK_MS: String(LOCK_MS),
        JOB_STALLED_INTERVAL_MS: String(STALLED_MS),
        CAPTURE_CONCURRENCY: '2',
      },
    }).catch(async (err) => {
      await redis.close();
      throw err;
    });
    try {
      const user = await stack.user();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        ids.push(await stack.submit(user.token, fixture.url(`/load-${i}`)));
      }
      await waitFor('captures in flight', () => fixture.hits.size >= 2, 120_000, 50);

      await redis.close();
      const downAt = Date.now();
      const timings: number[] = [];
      while (Date.now() - downAt < 10_000) {
        timings.push(
          await expectUnavailable('POST /v1/links', () =>
            stack.request('POST', '/v1/links', {
              token: user.token,
              json: { url: fixture.url(`/load-${8 + (timings.length % 4)}?t=${Date.now()}`) },
            }),
          ),
        );
        const pending = ids[ids.length - 1] as string;
        const job = await stack.request('GET', `/v1/jobs/${pending}`, { token: user.token });
        if (job.status !== 200 || job.body.state !== 'succeeded') {
          timings.push(await expectUnavailable('GET /v1/jobs/{id}', async () => job));
        }
        await sleep(500);
      }
      redis = await startEmbeddedRedis({ directory: dir, port: redis.port });
      const upAt = Date.now();
      // The API reconnects by itself (ioredis retries with a capped delay).
      await waitFor(
        'the API to reach Redis again',
        async () =>
          (await stack.request('GET', `/v1/jobs/${ids[ids.length - 1]}`, { token: user.token })).status === 200,
        20_000,
        200,
      );
      console.log(`[fault] Redis back: the API answers 200 again after ${Date.now() - upAt} ms`);
      console.log(
        `[fault] Redis down 10 s: 503 answers in max ${Math.max(...timings)} ms (${timings.length} requests)`,
      );

      for (const id of ids) {
        const { job } = await stack.waitForJob(id, user.token, 180_000);
        assert.equal(job.state, 'succeeded', `${id}: ${JSON.stringify(job.error)}\n${stack.logs()}`);
      }
      console.log(
        `[fault] Redis restart: all ${ids.length} jobs finished ${Date.now() - upAt} ms after Redis returned`,
      );
      // No job stays active past its lock.
      const queue = stack.queue(SNAPSHOTS_QUEUE);
      await waitFor(
        'no active job',
        async () => (await queue.getActiveCount()) === 0,
        LOCK_MS + 2 * STALLED_MS + 2_000,
      );
      // Workers reconnected by themselves: a new job goes through.
      const id = await stack.submit(user.token, fixture.url('/load-11'));
      assert.equal((await stack.waitForJob(id, user.token, 120_000)).job.state, 'succeeded');
    } finally {
      await stack.close();
      await redis.close();
    }
  });

  it('survives PostgreSQL being unreachable for 10 s; waiting results are written once it is back', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', 5432);
    const stack = await Stack.start({
      allow: [fixture.hostPort],
      databaseUrl: testDatabaseVia(proxy.port),
      env: { CAPTURE_CONCURRENCY: '2' },
    }).catch(async (err) => {
      await proxy.close();
      throw err;
    });
    try {
      const user = await stack.user();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        ids.push(await stack.submit(user.token, fixture.url(`/pg-${i}`)));
      }
      await waitFor(
        'captures in flight',
        () => fixture.hits.size >= 1 && [...fixture.hits.keys()].some((k) => k.startsWith('/pg-')),
        60_000,
        50,
      );
      await proxy.down();
      const downAt = Date.now();
      const timings: number[] = [];
      while (Date.now() - downAt < 10_000) {
        timings.push(
          await expectUnavailable('POST /v1/links', () =>
            stack.request('POST', '/v1/links', {
              token: user.token,
              json: { url: fixture.url(`/pg-5?t=${Date.now()}`) },
            }),
          ),
        );
        timings.push(
          await expectPollWithoutDatabase('GET /v1/jobs/{id}', () =>
            stack.request('GET', `/v1/jobs/${ids[0]}`, { token: user.token }),
          ),
        );
        await sleep(500);
      }
      await proxy.up();
      const upAt = Date.now();
      await waitFor(
        'the API to reach PostgreSQL again',
        // A read PostgreSQL must answer (a poll of an unfinished job may not need it).
        async () => (await stack.request('GET', '/v1/links?limit=1', { token: user.token })).status === 200,
        20_000,
        200,
      );
      console.log(`[fault] PostgreSQL back: the API answers 200 again after ${Date.now() - upAt} ms`);
      console.log(
        `[fault] PostgreSQL down 10 s: answers (503, or 200 for polls of unfinished jobs) in max ${Math.max(...timings)} ms (${timings.length} requests)`,
      );
      for (const id of ids) {
        const { job } = await stack.waitForJob(id, user.token, 180_000);
        assert.equal(job.state, 'succeeded', `${id}: ${JSON.stringify(job.error)}\n${stack.logs()}`);
      }
      console.log(`[fault] PostgreSQL back: all ${ids.length} results written ${Date.now() - upAt} ms later`);
      const list = await stack.request('GET', '/v1/links?limit=50', { token: user.token });
      assert.equal(list.status, 200);
      assert.equal((list.body.items as unknown[]).length, ids.length, 'no link lost, none created during the outage');
    } finally {
      await stack.close();
      await proxy.close();
    }
  });

  it('retries STORAGE_UNAVAILABLE with backoff while object storage is down and succeeds after it returns', async () => {
    const s3 = await RestartableS3.start();
    const stack = await Stack.start({
      s3,
      allow: [fixture.hostPort],
      env: { CAPTURE_ATTEMPTS: '5', CAPTURE_BACKOFF_MS: '1000', CAPTURE_CONCURRENCY: '1' },
    });
    try {
      const user = await stack.user();
      const id = await stack.submit(user.token, fixture.url('/s3-slow'));
      await waitFor('the capture to reach the page', () => (fixture.hits.get('/s3-slow') ?? 0) >= 1, 120_000, 50);
      await Promise.race([s3.stop(), sleep(5_000)]);
      const downAt = Date.now();
      // Wait until an upload failed against the stopped server, then bring it back.
      await waitFor(
        'an upload to fail',
        () => /STORAGE_UNAVAILABLE/.test(stack.snapshotters[0]?.output() ?? ''),
        30_000,
        100,
      );
      await sleep(Math.max(0, 4_000 - (Date.now() - downAt)));
      const mid = await stack.request('GET', `/v1/jobs/${id}`, { token: user.token });
      assert.notEqual(mid.body.state, 'succeeded', 'nothing is reported stored while storage is down');
      await s3.restart();
      const upAt = Date.now();
      const { job } = await stack.waitForJob(id, user.token, 180_000);
      console.log(`[fault] S3 down ${upAt - downAt} ms: job succeeded ${Date.now() - upAt} ms after it returned`);
      assert.equal(job.state, 'succeeded', stack.logs());
      assert.ok(job.attempts >= 2, `attempts ${job.attempts}`);
      const snapshot = await stack.request('GET', `/v1/snapshots/${id}`, { token: user.token });
      await assertRowMatchesObjects(stack.storage, snapshot.body);
    } finally {
      await s3.restart().catch(() => undefined);
      await stack.close();
    }
  });
});

function delayedPage(ms: number, title: string) {
  return (_req: unknown, res: import('node:http').ServerResponse) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(simplePage(title, `Body of ${title}`));
    }, ms);
  };
}
