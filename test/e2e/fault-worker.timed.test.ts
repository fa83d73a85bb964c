/**
 * Fault tolerance of the workers, proven by killing them: a snapshotter SIGKILLed mid-capture
 * loses no job and leaves no Chromium behind (its browsers exit by themselves), and a stalled
 * worker that finishes late (SIGSTOP past its lock, SIGCONT after another worker finished)
 * changes nothing: one row, one set of objects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import {
  assertRowMatchesObjects,
  chromiumPids,
  liveInGroups,
  ownerOfLocalPort,
  sleep,
  waitFor,
} from '../support/faults.js';
import { type FixtureServer, simplePage, startFixtureServer } from '../support/fixture-server.js';
import { type ServiceProcess, Stack } from '../support/stack.js';

const LOCK_MS = 4_000;
// Half the lock: the takeover bound below (2 × lock + interval) keeps a margin even when a
// stalled check is skipped (BullMQ runs at most one per interval across all workers).
const STALLED_MS = 2_000;
const env = {
  JOB_LOCK_MS: String(LOCK_MS),
  JOB_STALLED_INTERVAL_MS: String(STALLED_MS),
  CAPTURE_CONCURRENCY: '1',
  CAPTURE_TIMEOUT_MS: '20000',
};

/** Waits until the snapshotter has launched Chromium (it is then ready for jobs). */
async function ready(worker: ServiceProcess): Promise<void> {
  await waitFor(
    `${worker.name} to launch Chromium`,
    () => chromiumPids(worker.child.pid as number).length > 0,
    120_000,
  );
}

describe('fault: worker killed or stalled mid-capture', () => {
  let fixture: FixtureServer;
  /** Local port of the first request per page: it names the snapshotter that fetched it. */
  const firstPort = new Map<string, number>();
  /** The snapshotter process holding the capture of `name` (by its egress proxy's socket). */
  const holder = (stack: Stack, name: string): ServiceProcess => {
    const pids = stack.snapshotters.map((s) => s.child.pid as number);
    const owner = ownerOfLocalPort(firstPort.get(name) as number, pids);
    const found = stack.snapshotters.find((s) => s.child.pid === owner);
    assert.ok(found, `no snapshotter owns the connection for ${name}`);
    return found;
  };
  before(async () => {
    fixture = await startFixtureServer();
    // Answers after 3 s, so a kill lands while the capture is navigating.
    for (const name of ['slow-kill', 'slow-dup']) {
      fixture.route(`/${name}`, (req, res) => {
        if (!firstPort.has(name)) firstPort.set(name, req.socket.remotePort as number);
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(simplePage(`Slow page ${name}`, `Body of ${name}`));
        }, 3_000);
      });
    }
  });
  after(() => fixture?.close());

  it('another snapshotter takes over a job whose worker was SIGKILLed with its Chromium', async () => {
    const stack = await Stack.start({ allow: [fixture.hostPort], env, snapshotters: 2 });
    try {
      for (const s of stack.snapshotters) await ready(s);
      const user = await stack.user();
      const res = await stack.request('POST', '/v1/links', {
        token: user.token,
        json: { url: fixture.url('/slow-kill') },
      });
      assert.equal(res.status, 202);
      const id = res.body.snapshot.id as string;
      await waitFor(
        'the first capture to reach the page',
        () => (fixture.hits.get('/slow-kill') ?? 0) >= 1,
        120_000,
      ).catch((e) => {
        throw new Error(`${e}\n${stack.logs()}`);
      });
      const first = holder(stack, 'slow-kill');
      const second = stack.snapshotters.find((s) => s !== first) as ServiceProcess;

      const browsers = chromiumPids(first.child.pid as number);
      assert.ok(browsers.length > 0, 'the first snapshotter runs Chromium');
      const killedAt = Date.now();
      // Only the Node process is killed: its Chromium, talking to it over a pipe, must notice
      // and exit by itself (a browser on a WebSocket would live on as an orphan).
      await first.kill();
      await waitFor('the orphaned Chromium to exit by itself', () => liveInGroups(browsers).length === 0, 10_000);
      console.log(`[fault] SIGKILL mid-capture: the snapshotter's Chromium exited ${Date.now() - killedAt} ms later`);

      const queue = stack.queue(SNAPSHOTS_QUEUE);
      await waitFor('the job to be taken over', () => (fixture.hits.get('/slow-kill') ?? 0) >= 2, 30_000, 50);
      const takeoverMs = Date.now() - killedAt;
      const { job } = await stack.waitForJob(id, user.token, 120_000);
      const recoveredMs = Date.now() - killedAt;
      console.log(`[fault] SIGKILL mid-capture: taken over after ${takeoverMs} ms, succeeded after ${recoveredMs} ms`);
      assert.equal(job.state, 'succeeded', stack.logs());
      assert.ok(
        takeoverMs < 2 * LOCK_MS + STALLED_MS,
        `takeover took ${takeoverMs} ms (limit ${2 * LOCK_MS + STALLED_MS})`,
      );

      // The retry is recorded on the BullMQ job: it stalled once and was started twice.
      const bull = await queue.getJob(id);
      assert.ok(bull, 'the completed job is still in the bounded history');
      const record = bull as unknown as { stalledCounter?: number; attemptsStarted?: number; processedBy?: string };
      assert.ok(
        (record.stalledCounter ?? 0) >= 1 || (record.attemptsStarted ?? 0) >= 2,
        `stalledCounter=${record.stalledCounter} attemptsStarted=${record.attemptsStarted}`,
      );
      assert.equal(record.processedBy?.endsWith(`:${second.child.pid}`), true, `processed by ${record.processedBy}`);

      // Exactly one snapshot row, one set of objects matching it.
      const versions = await stack.request('GET', `/v1/links/${res.body.link.id}/snapshots`, { token: user.token });
      const items = (versions.body.items ?? versions.body) as { id: string }[];
      assert.equal(items.length, 1, JSON.stringify(versions.body));
      const snapshot = await stack.request('GET', `/v1/snapshots/${id}`, { token: user.token });
      await assertRowMatchesObjects(stack.storage, snapshot.body);
      // The killed attempt's early bodies, if any, are unreferenced: the sweeper's (ADR 0017).
      assert.deepEqual(await stack.storage.list('snapshots/'), []);
    } finally {
      await stack.close();
    }
  });

  it('a stalled worker finishing late (SIGSTOP past the lock, then SIGCONT) changes nothing', async () => {
    const stack = await Stack.start({ allow: [fixture.hostPort], env, snapshotters: 2 });
    const paused: ServiceProcess[] = [];
    try {
      for (const s of stack.snapshotters) await ready(s);
      const user = await stack.user();
      const res = await stack.request('POST', '/v1/links', {
        token: user.token,
        json: { url: fixture.url('/slow-dup') },
      });
      assert.equal(res.status, 202);
      const id = res.body.snapshot.id as string;
      await waitFor('the first capture to reach the page', () => (fixture.hits.get('/slow-dup') ?? 0) >= 1, 120_000);
      const first = holder(stack, 'slow-dup');
      // Freeze the first worker (its Chromium runs on, in its own process group).
      first.child.kill('SIGSTOP');
      paused.push(first);
      const stoppedAt = Date.now();
      const second = stack.snapshotters.find((s) => s !== first) as ServiceProcess;
      const { job } = await stack.waitForJob(id, user.token, 120_000);
      console.log(`[fault] SIGSTOPped worker: the second worker finished the job after ${Date.now() - stoppedAt} ms`);
      assert.equal(job.state, 'succeeded', stack.logs());
      const before = await stack.request('GET', `/v1/snapshots/${id}`, { token: user.token });
      await assertRowMatchesObjects(stack.storage, before.body);

      // Wake the first worker: its late attempt must neither overwrite objects nor the row.
      first.child.kill('SIGCONT');
      paused.pop();
      await waitFor(
        'the late attempt to give up',
        () => /dropping this capture|Missing lock|lock/i.test(first.output()) || first.child.exitCode !== null,
        20_000,
        200,
      ).catch(() => undefined);
      await sleep(1_000);
      const afterRow = await stack.request('GET', `/v1/snapshots/${id}`, { token: user.token });
      assert.deepEqual(afterRow.body.artifacts, before.body.artifacts, 'the row is unchanged');
      assert.equal(afterRow.body.status, 'succeeded');
      await assertRowMatchesObjects(stack.storage, afterRow.body);
      const versions = await stack.request('GET', `/v1/links/${res.body.link.id}/snapshots`, { token: user.token });
      const items = (versions.body.items ?? versions.body) as { id: string }[];
      assert.equal(items.length, 1);
      const bull = (await stack.queue(SNAPSHOTS_QUEUE).getJob(id)) as unknown as { processedBy?: string };
      assert.equal(bull.processedBy?.endsWith(`:${second.child.pid}`), true, `processed by ${bull.processedBy}`);
    } finally {
      for (const p of paused) p.child.kill('SIGCONT');
      await stack.close();
    }
  });
});
