/**
 * GET /v1/jobs/{id} answers an unfinished capture from Redis alone: the same view PostgreSQL
 * would give, never for a deleted or finished snapshot, and from any API process.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { redisOptions, SNAPSHOTS_QUEUE, type SnapshotJob } from '@linksnap/shared';
import { type ConnectionOptions, Worker } from 'bullmq';
import { TcpProxy } from '../../../test/support/faults.js';
import { noDnsResolver, testDatabaseVia } from '../../../test/support/services.js';
import { type Api, createApi } from '../src/main.js';
import { bearer, type Harness, startHarness, succeededResult } from './helpers.js';

const publicUrl = () => `http://8.8.8.8/page-${randomUUID()}`;

describe('job status', () => {
  let h: Harness;
  /** A second API process on the same database and queues. */
  let other: Api;
  before(async () => {
    h = await startHarness();
    other = await createApi(h.config, { consumeResults: false, resolver: noDnsResolver });
  });
  after(async () => {
    await other.close();
    await h.close();
  });

  const call = (api: Api, token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    api.app.inject({ method, url, headers: bearer(token), payload });
  const submit = async (token: string) => {
    const res = await call(h.api, token, 'POST', '/v1/links', { url: publicUrl() });
    assert.equal(res.statusCode, 202);
    return res.json() as { link: { id: string }; snapshot: { id: string } };
  };

  it('answers a queued and a running job from Redis exactly as PostgreSQL would', async () => {
    const user = await h.signup();
    const { snapshot } = await submit(user.token);
    const queued = await call(other, user.token, 'GET', `/v1/jobs/${snapshot.id}`);
    assert.equal(queued.statusCode, 200);
    assert.equal(queued.json().state, 'queued');
    // Stands in for the snapshotter: takes the job and reports a stage.
    const worker = new Worker(SNAPSHOTS_QUEUE, null, {
      connection: redisOptions(h.config.REDIS_URL as string) as ConnectionOptions,
      prefix: h.config.QUEUE_PREFIX,
    });
    try {
      const job = await worker.getNextJob('test-token');
      assert.equal(job?.id, snapshot.id);
      await job.updateProgress({ stage: 'pdf', percent: 55 });
      const running = await call(other, user.token, 'GET', `/v1/jobs/${snapshot.id}`);
      assert.equal(running.json().state, 'active');
      assert.deepEqual(running.json().progress, { stage: 'pdf', percent: 55 });
      assert.equal(running.json().attempts, 1);
      // From now on every read goes to PostgreSQL (as it does once a result is on its way).
      await h.api.snapshotQueue.markFinal(snapshot.id);
      const fromDatabase = await call(other, user.token, 'GET', `/v1/jobs/${snapshot.id}`);
      assert.deepEqual(fromDatabase.json(), running.json());
      const row = await call(h.api, user.token, 'GET', `/v1/snapshots/${snapshot.id}`);
      assert.deepEqual(queued.json().snapshot, row.json());
      // Only the live parts changed while the job ran.
      const expected: Record<string, unknown> = queued.json();
      assert.deepEqual(
        { ...expected, state: 'active', attempts: 1, progress: running.json().progress },
        running.json(),
      );
    } finally {
      await worker.close();
    }
  });

  it('answers a queued job while PostgreSQL is unreachable', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', 5432);
    const cut = await startHarness({ databaseUrl: testDatabaseVia(proxy.port) });
    try {
      const user = await cut.signup();
      const created = await cut.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(user.token),
        payload: { url: publicUrl() },
      });
      const { link, snapshot } = created.json();
      const get = (url: string) => cut.api.app.inject({ method: 'GET', url, headers: bearer(user.token) });
      const before = await get(`/v1/jobs/${snapshot.id}`);
      const row = (await get(`/v1/snapshots/${snapshot.id}`)).json();
      await proxy.down();
      assert.equal((await get(`/v1/links/${link.id}`)).statusCode, 503, 'PostgreSQL is unreachable');
      const during = await get(`/v1/jobs/${snapshot.id}`);
      assert.equal(during.statusCode, 200);
      assert.deepEqual(during.json(), before.json());
      assert.deepEqual(during.json().snapshot, row);
      assert.deepEqual(during.json().progress, { stage: 'queued', percent: 0 });
      assert.equal(during.json().createdAt, row.requestedAt);
    } finally {
      await proxy.up();
      await cut.close();
      await proxy.close();
    }
  });

  it("answers 404 for a deleted link's job at once, in this process and in another", async () => {
    const user = await h.signup();
    const { link, snapshot } = await submit(user.token);
    const again = await call(h.api, user.token, 'POST', `/v1/links/${link.id}/snapshots`);
    const second = again.json().snapshot.id as string;
    for (const id of [snapshot.id, second]) {
      assert.equal((await call(other, user.token, 'GET', `/v1/jobs/${id}`)).statusCode, 200);
    }
    assert.equal((await call(h.api, user.token, 'DELETE', `/v1/links/${link.id}`)).statusCode, 204);
    assert.ok(await h.queue(SNAPSHOTS_QUEUE).getJob(snapshot.id), 'the capture job is still in Redis');
    for (const api of [h.api, other]) {
      for (const id of [snapshot.id, second]) {
        const res = await call(api, user.token, 'GET', `/v1/jobs/${id}`);
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().code, 'NOT_FOUND');
      }
    }
  });

  it('answers 404 for a deleted version at once from another process', async () => {
    const user = await h.signup();
    const { snapshot } = await submit(user.token);
    assert.equal((await call(other, user.token, 'GET', `/v1/jobs/${snapshot.id}`)).statusCode, 200);
    assert.equal((await call(other, user.token, 'DELETE', `/v1/snapshots/${snapshot.id}`)).statusCode, 204);
    assert.equal((await call(h.api, user.token, 'GET', `/v1/jobs/${snapshot.id}`)).statusCode, 404);
  });

  it('keeps a capture of a deleted snapshot out of the queue when its job is added after the deletion', async () => {
    const user = await h.signup();
    const { link } = await submit(user.token);
    const id = randomUUID();
    // A submission in flight: the rows are gone (never were, here) before its job is added.
    await h.api.snapshotQueue.markDeleted([id]);
    const job: SnapshotJob = {
      snapshotId: id,
      linkId: link.id,
      userId: user.userId,
      url: publicUrl(),
      requestedAt: new Date().toISOString(),
    };
    await h.api.snapshotQueue.enqueue(job);
    assert.equal(await h.queue(SNAPSHOTS_QUEUE).getJobState(id), 'unknown', 'BullMQ refused the add');
    assert.equal((await call(other, user.token, 'GET', `/v1/jobs/${id}`)).statusCode, 404);
  });

  it('answers a final row from PostgreSQL even while its job is still waiting in Redis', async () => {
    const user = await h.signup();
    const { link, snapshot } = await submit(user.token);
    await h.deliverResult(succeededResult(snapshot.id, link.id, { title: 'Done' }));
    assert.equal(await h.queue(SNAPSHOTS_QUEUE).getJobState(snapshot.id), 'waiting');
    for (const api of [h.api, other]) {
      const res = await call(api, user.token, 'GET', `/v1/jobs/${snapshot.id}`);
      assert.equal(res.json().state, 'succeeded');
      assert.equal(res.json().snapshot.title, 'Done');
    }
  });

  it("answers 404 for another user's queued job", async () => {
    const owner = await h.signup();
    const stranger = await h.signup();
    const { snapshot } = await submit(owner.token);
    const res = await call(other, stranger.token, 'GET', `/v1/jobs/${snapshot.id}`);
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'NOT_FOUND');
  });
});
