/**
 * No stuck state: a snapshot row whose BullMQ job vanished (Redis data lost) is re-enqueued by
 * the API's reconciler and captured; a job that BullMQ failed without a result is recorded as
 * failed; job status outlives the bounded Redis history; and both
 * processes check Redis' eviction policy at start (warn, or refuse in production).
 * Runs on a private PGlite database: the reconciler scans the whole database, and the shared
 * test database holds other tests' rows.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmbeddedRedis, startEmbeddedRedis } from '@linksnap/api/embedded/redis-server';
import { redisOptions, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { type ConnectionOptions, UnrecoverableError, Worker } from 'bullmq';
import { waitFor } from '../support/faults.js';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import { tempDir } from '../support/services.js';
import { type ServiceProcess, Stack } from '../support/stack.js';

/** One raw command on a private redis-server (the test has no Redis client of its own). */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${command}\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
    socket.once('error', reject);
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error('redis timeout'));
    });
  });
}

describe('fault: stuck states and Redis configuration', () => {
  let fixture: FixtureServer;
  before(async () => {
    fixture = await startFixtureServer();
  });
  after(() => fixture?.close());

  it('re-enqueues a snapshot whose BullMQ job was lost, and keeps job status after Redis forgets it', async () => {
    const stack = await Stack.start({
      database: 'pglite',
      allow: [fixture.hostPort],
      snapshotters: 0,
      env: { RECONCILE_INTERVAL_MS: '1000', RECONCILE_MIN_AGE_MS: '1500' },
    });
    try {
      const user = await stack.user();
      const id = await stack.submit(user.token, fixture.url('/simple'));
      const queue = stack.queue(SNAPSHOTS_QUEUE);
      // Redis loses the job (no worker has taken it yet).
      assert.ok(await queue.getJob(id), 'the job was enqueued');
      await queue.remove(id);
      assert.equal(await queue.getJob(id), undefined);
      const lostAt = Date.now();

      const requeued = await waitFor('the reconciler to re-enqueue the job', () => queue.getJob(id), 20_000, 100);
      console.log(`[fault] lost BullMQ job re-enqueued by the reconciler after ${Date.now() - lostAt} ms`);
      assert.equal(requeued.id, id, 'same job id = snapshot id');
      assert.equal(requeued.data.snapshotId, id);

      stack.startSnapshotter();
      const { job } = await stack.waitForJob(id, user.token, 180_000);
      assert.equal(job.state, 'succeeded', stack.logs());
      console.log(`[fault] lost job captured ${Date.now() - lostAt} ms after the loss`);

      // Redis keeps a bounded history (removeOnComplete/removeOnFail); PostgreSQL keeps the state.
      const done = await queue.getJob(id);
      assert.ok(done);
      assert.deepEqual(done.opts.removeOnComplete, { age: 24 * 3600, count: 10_000 });
      assert.deepEqual(done.opts.removeOnFail, { age: 7 * 24 * 3600, count: 10_000 });
      await done.remove();
      assert.equal(await queue.getJob(id), undefined);
      const later = await stack.request('GET', `/v1/jobs/${id}`, { token: user.token });
      assert.equal(later.status, 200);
      assert.equal(later.body.state, 'succeeded');
      assert.equal(later.body.snapshot.id, id);

      // A final row is never touched again, even with its job gone.
      await new Promise((r) => setTimeout(r, 2_500));
      assert.equal(await queue.getJob(id), undefined, 'final rows are not re-enqueued');
    } finally {
      await stack.close();
    }
  });

  it('records a job that ended failed without a result (stalled past the limit) within seconds', async () => {
    // No periodic pass: only the API's watch on failed jobs can finish this row.
    const stack = await Stack.start({
      database: 'pglite',
      allow: [fixture.hostPort],
      snapshotters: 0,
      env: { RECONCILE_INTERVAL_MS: '0' },
    });
    const worker = new Worker(SNAPSHOTS_QUEUE, null, {
      connection: redisOptions(stack.env.REDIS_URL as string) as ConnectionOptions,
      prefix: stack.env.QUEUE_PREFIX,
    });
    try {
      const user = await stack.user();
      const id = await stack.submit(user.token, fixture.url('/simple'));
      // What BullMQ does to a job that kept losing its worker: it fails it without calling the
      // processor, so no failure result is ever sent.
      const job = await worker.getNextJob('test-token');
      assert.equal(job?.id, id);
      await job.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'test-token');
      const failedAt = Date.now();
      const { job: view } = await stack.waitForJob(id, user.token, 20_000);
      console.log(`[fault] job failed without a result: recorded ${Date.now() - failedAt} ms later`);
      assert.equal(view.state, 'failed');
      assert.equal(view.error.code, 'CAPTURE_FAILED');
      assert.match(view.error.detail, /stopped responding/);
    } finally {
      await worker.close();
      await stack.close();
    }
  });

  it('warns about an evicting Redis, and refuses to start with it in production', async () => {
    const redis: EmbeddedRedis = await startEmbeddedRedis({ directory: path.join(tempDir('linksnap-redis-'), 'r') });
    const extra: ServiceProcess[] = [];
    try {
      assert.match(await redisCommand(redis.port, 'CONFIG SET maxmemory-policy allkeys-lru'), /^\+OK/);
      await assert.rejects(
        Stack.start({ database: 'pglite', snapshotters: 0, env: { REDIS_URL: redis.url, NODE_ENV: 'production' } }),
        /noeviction/,
        'the API refuses to start in production',
      );
      const stack = await Stack.start({ database: 'pglite', snapshotters: 0, env: { REDIS_URL: redis.url } });
      try {
        assert.match(stack.api?.output() ?? '', /maxmemory-policy is \\?"allkeys-lru\\?"/, 'the API warns loudly');
        const refused = stack.startSnapshotter({ NODE_ENV: 'production' });
        extra.push(refused);
        await waitFor('the production snapshotter to exit', () => refused.child.exitCode !== null, 60_000, 100);
        assert.equal(refused.child.exitCode, 1);
        assert.match(refused.output(), /noeviction/);
        const warned = stack.startSnapshotter();
        extra.push(warned);
        await waitFor('the snapshotter to warn', () => /noeviction/.test(warned.output()), 60_000, 100);
        assert.equal(warned.child.exitCode, null, 'outside production it only warns');
      } finally {
        await stack.close();
      }
    } finally {
      for (const p of extra) await p.kill();
      await redis.close();
    }
  });
});
