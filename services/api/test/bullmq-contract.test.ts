/**
 * Contract with BullMQ's internals: the job-status reader (queue/job-status.ts) reads a job's
 * Redis hash directly and its Lua writes a field into it. This pins what that relies on, against
 * the installed BullMQ, so an upgrade that changes the layout fails here by name rather than as
 * wrong job states somewhere else: the key of a job, the fields set when it is added, started,
 * given progress and finished, the active list, and a foreign field surviving BullMQ's writes.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { redisOptions } from '@linksnap/shared';
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL, uniqueName } from '../../../test/support/services.js';

const require = createRequire(import.meta.url);
const connection = redisOptions(TEST_REDIS_URL) as ConnectionOptions;

describe(`BullMQ ${require('bullmq/package.json').version} job hash, as job-status.ts reads it`, () => {
  const prefix = uniqueName('contract').replace(/-/g, '_');
  const name = 'snapshots';
  let queue: Queue;
  let redis: Redis;
  before(() => {
    queue = new Queue(name, { connection, prefix });
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
  });

  const fields = (id: string) =>
    redis
      .hmget(
        `${prefix}:${name}:${id}`,
        'data',
        'progress',
        'atm',
        'attemptsMade',
        'finishedOn',
        'ats',
        'linksnapSettled',
      )
      .then(([data, progress, atm, attemptsMade, finishedOn, ats, settled]) => ({
        data,
        progress,
        atm,
        attemptsMade,
        finishedOn,
        ats,
        settled,
      }));

  it('keeps data, start, progress and finish in the hash named <prefix>:<queue>:<id>', async () => {
    const id = uniqueName('job');
    await queue.add('capture', { snapshotId: id }, { jobId: id });
    const added = await fields(id);
    assert.deepEqual(JSON.parse(added.data ?? 'null'), { snapshotId: id }, 'data is the JSON payload');
    assert.equal(added.ats, null, 'a job never started has no ats');
    assert.equal(added.finishedOn, null);

    let release = () => {};
    const running = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const startedSeen = new Promise<void>((resolve) => {
      started = resolve;
    });
    const worker = new Worker(
      name,
      async (job) => {
        await job.updateProgress({ stage: 'navigate', percent: 10 });
        started();
        await running;
        return 'done';
      },
      { connection, prefix },
    );
    try {
      await startedSeen;
      const active = await fields(id);
      assert.ok(active.ats !== null && Number(active.ats) > 0, 'ats is set when the job first becomes active');
      assert.equal(active.finishedOn, null);
      assert.deepEqual(JSON.parse(active.progress ?? 'null'), { stage: 'navigate', percent: 10 });
      assert.notEqual(await redis.lpos(`${prefix}:${name}:active`, id), null, 'a running job is in the active list');
      // What the settle Lua does: a field of our own in the job's hash.
      await redis.hset(`${prefix}:${name}:${id}`, 'linksnapSettled', '1');
      const finished = new Promise<void>((resolve) => worker.once('completed', () => resolve()));
      release();
      await finished;
      const done = await fields(id);
      assert.ok(done.finishedOn !== null && Number(done.finishedOn) > 0, 'finishedOn is set when the job completes');
      assert.equal(Number(done.atm ?? done.attemptsMade ?? 0), 1, 'attempts made count the finished attempt');
      assert.equal(done.settled, '1', 'BullMQ leaves a foreign field of the job hash alone');
      assert.equal(await redis.lpos(`${prefix}:${name}:active`, id), null);
    } finally {
      release();
      await worker.close();
    }
  });
});
