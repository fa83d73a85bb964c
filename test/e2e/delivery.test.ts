/**
 * Delivery guarantees of the queue design: failures carry catalog codes after their retries,
 * two snapshotters share work without doing any job twice, and results wait in Redis while
 * the API is down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BLOB_PREFIX, RESULTS_QUEUE, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { assertRowMatchesObjects } from '../support/faults.js';
import { closedPort, type FixtureServer, simplePage, startFixtureServer } from '../support/fixture-server.js';
import { Stack } from '../support/stack.js';

describe('delivery', () => {
  let fixture: FixtureServer;
  before(async () => {
    fixture = await startFixtureServer();
    for (let i = 0; i < 20; i++) {
      fixture.route(`/page-${i}`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(simplePage(`Page number ${i}`, `Body of page ${i}`));
      });
    }
  });
  after(() => fixture?.close());

  it('fails an unreachable host with CONNECTION_FAILED after its retries', async () => {
    const port = await closedPort();
    const stack = await Stack.start({ allow: [`127.0.0.1:${port}`], env: { CAPTURE_ATTEMPTS: '3' } });
    try {
      const user = await stack.user();
      const id = await stack.submit(user.token, `http://127.0.0.1:${port}/nothing`);
      const { job } = await stack.waitForJob(id, user.token, 60_000);
      assert.equal(job.state, 'failed', stack.logs());
      assert.equal(job.error.code, 'CONNECTION_FAILED');
      assert.equal(typeof job.error.title, 'string');
      assert.equal(job.attempts, 3);
    } finally {
      await stack.close();
    }
  });

  it('shares 20 jobs between two snapshotter processes, each job done exactly once', async () => {
    const stack = await Stack.start({ allow: [fixture.hostPort], snapshotters: 2 });
    try {
      // Under load one process can take all 20 jobs before the other has launched its browser.
      await stack.waitForSnapshotters();
      const user = await stack.user();
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        ids.push(await stack.submit(user.token, fixture.url(`/page-${i}`)));
      }
      for (const id of ids) {
        const { job } = await stack.waitForJob(id, user.token, 120_000);
        // Delivery is what is tested: on a loaded machine one stage may run out of its budget
        // (a partial result, every other artifact kept), which is no lost or repeated job.
        assert.ok(['succeeded', 'partial'].includes(job.state), `${id}: ${job.state} ${JSON.stringify(job.error)}`);
        assert.equal(job.attempts, 1);
      }
      for (let i = 0; i < 20; i++) assert.equal(fixture.hits.get(`/page-${i}`), 1, `page-${i} fetched once`);

      // The bucket holds exactly the bodies the 20 rows reference (content-addressed, ADR 0017).
      const referenced = new Set<string>();
      for (const id of ids) {
        const { body } = await stack.request('GET', `/v1/snapshots/${id}`, { token: user.token });
        await assertRowMatchesObjects(stack.storage, body);
        assert.ok(body.artifacts.length >= 4, `${id}: ${body.artifacts.length} artifacts`);
        for (const a of body.artifacts as { key: string }[]) referenced.add(a.key);
      }
      assert.deepEqual((await stack.storage.list(BLOB_PREFIX)).sort(), [...referenced].sort());
      assert.deepEqual(await stack.storage.list('snapshots/'), []);

      // Both processes took part.
      const completed = await stack.queue(SNAPSHOTS_QUEUE).getJobs(['completed'], 0, 100);
      assert.equal(completed.length, 20);
      const workers = new Set(completed.map((j) => j.processedBy));
      assert.equal(workers.size, 2, `processed by ${[...workers].join(', ')}`);
    } finally {
      await stack.close();
    }
  });

  it('keeps a result that finishes while the API is down and records it after restart', async () => {
    const stack = await Stack.start({ allow: [fixture.hostPort] });
    try {
      const user = await stack.user();
      const snapshotId = await stack.submit(user.token, fixture.url('/page-0'));
      assert.equal(await stack.api?.stop(), 0, 'the API exits cleanly on SIGTERM');

      // The capture finishes with no API running: its result waits in the results queue.
      const results = stack.queue(RESULTS_QUEUE);
      const deadline = Date.now() + 60_000;
      while (!(await results.getJob(snapshotId)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      assert.ok(await results.getJob(snapshotId), `no result was queued\n${stack.logs()}`);

      await stack.startApi();
      const { job } = await stack.waitForJob(snapshotId, user.token, 30_000);
      assert.equal(job.state, 'succeeded');
      const snapshot = await stack.request('GET', `/v1/snapshots/${snapshotId}`, { token: user.token });
      assert.equal(snapshot.body.title, 'Page number 0');
    } finally {
      await stack.close();
    }
  });
});
