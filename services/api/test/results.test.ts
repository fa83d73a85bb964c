import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ARTIFACT_KINDS,
  type Artifact,
  type ArtifactKind,
  artifactKey,
  RESULTS_QUEUE,
  redisOptions,
  resultJobOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotResultInput,
} from '@linksnap/shared';
import { type Job, type Queue, Worker } from 'bullmq';
import { ARCHIVED_PAGE_CSP } from '../src/routes/snapshots.routes.js';
import { bearer, type Harness, startHarness, succeededResult } from './helpers.js';

interface JobBody {
  state: string;
  attempts: number;
  error: { code: string } | null;
  finishedAt: string | null;
  snapshot: { artifacts: { kind: string; url: string }[] };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await fn();
    if (value !== undefined && value !== null) return value as NonNullable<T>;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function finished(queue: Queue, id: string): Promise<Job> {
  return waitFor(`result ${id}`, async () => {
    const job = await queue.getJob(id);
    if (!job) return undefined;
    const state = await job.getState();
    // Read the job again: the copy fetched before the state check may predate its return value.
    return state === 'completed' || state === 'failed' ? await queue.getJob(id) : undefined;
  });
}

describe('results consumer', () => {
  let h: Harness;
  let results: Queue;
  before(async () => {
    h = await startHarness();
    results = h.queue(RESULTS_QUEUE);
  });
  after(async () => {
    await h.close();
  });

  const get = (token: string, url: string) => h.api.app.inject({ method: 'GET', url, headers: bearer(token) });

  async function store(snapshotId: string, kind: ArtifactKind, body: string): Promise<Artifact> {
    const stored = await h.api.storage.put(
      artifactKey(snapshotId, kind),
      Buffer.from(body),
      ARTIFACT_KINDS[kind].contentType,
    );
    return { kind, ...stored };
  }

  function result(snapshotId: string, linkId: string, artifacts: Artifact[], title: string): SnapshotResultInput {
    return succeededResult(snapshotId, linkId, {
      title,
      timings: { navigate: 120 },
      artifacts,
      startedAt: new Date(Date.now() - 1000).toISOString(),
    });
  }

  it('writes a result once: the job turns succeeded with artifacts and a replay changes nothing', async () => {
    const user = await h.signup();
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: `http://8.8.8.8/${randomUUID()}` },
    });
    const { link, snapshot } = created.json();
    const artifacts = [
      await store(snapshot.id, 'screenshot', 'png bytes'),
      await store(snapshot.id, 'html', '<script>alert(1)</script>'),
      await store(snapshot.id, 'mhtml', 'MIME-Version: 1.0'),
      await store(snapshot.id, 'wacz', 'PK zip bytes'),
    ];
    await results.add(
      snapshot.id,
      result(snapshot.id, link.id, artifacts, 'First title'),
      resultJobOptions(snapshot.id),
    );

    const job = await waitFor('succeeded', async () => {
      const res = await get(user.token, `/v1/jobs/${snapshot.id}`);
      const body = res.json<JobBody>();
      return body.state === 'succeeded' ? body : undefined;
    });
    assert.equal(job.attempts, 1);
    assert.equal(job.error, null);
    assert.ok(job.finishedAt);
    assert.deepEqual(
      job.snapshot.artifacts.map((a: { kind: string; url: string }) => [a.kind, a.url]),
      artifacts.map((a) => [a.kind, `/v1/snapshots/${snapshot.id}/artifacts/${a.kind}`]),
    );

    const linkView = (await get(user.token, `/v1/links/${link.id}`)).json();
    assert.equal(linkView.title, 'First title');
    assert.deepEqual(linkView.latestSnapshot, { id: snapshot.id, status: 'succeeded' });

    const html = await get(user.token, `/v1/snapshots/${snapshot.id}/artifacts/html`);
    assert.equal(html.statusCode, 200);
    assert.equal(html.body, '<script>alert(1)</script>');
    assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(html.headers['content-security-policy'], ARCHIVED_PAGE_CSP);
    assert.equal(html.headers['x-content-type-options'], 'nosniff');
    assert.equal(html.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(html.headers.etag, `"${artifacts[1]?.sha256}"`);

    const mhtml = await get(user.token, `/v1/snapshots/${snapshot.id}/artifacts/mhtml`);
    assert.match(String(mhtml.headers['content-disposition']), /^attachment/);
    const wacz = await get(user.token, `/v1/snapshots/${snapshot.id}/artifacts/wacz`);
    assert.equal(wacz.statusCode, 200);
    assert.equal(wacz.headers['content-type'], 'application/wacz+zip');
    assert.equal(wacz.headers['content-disposition'], `attachment; filename="${snapshot.id}.wacz"`);
    assert.equal(wacz.body, 'PK zip bytes');
    const png = await get(user.token, `/v1/snapshots/${snapshot.id}/artifacts/screenshot`);
    assert.equal(png.headers['content-length'], String('png bytes'.length));
    assert.equal((await get(user.token, `/v1/snapshots/${snapshot.id}/artifacts/pdf`)).statusCode, 404);

    // Replay: the same snapshot id again, with a different title, after the first message is gone.
    const first = await finished(results, snapshot.id);
    assert.equal(first.returnvalue, 'applied');
    await first.remove();
    await results.add(snapshot.id, result(snapshot.id, link.id, [], 'Second title'), resultJobOptions(snapshot.id));
    const replay = await finished(results, snapshot.id);
    assert.equal(replay.returnvalue, 'already-final');
    const after = (await get(user.token, `/v1/snapshots/${snapshot.id}`)).json();
    assert.equal(after.title, 'First title');
    assert.equal(after.artifacts.length, artifacts.length);
    assert.equal((await get(user.token, `/v1/links/${link.id}`)).json().title, 'First title');
  });

  it('acknowledges a result for a snapshot that no longer exists', async () => {
    const id = randomUUID();
    await results.add(id, result(id, randomUUID(), [], 'Orphan'), resultJobOptions(id));
    const job = await finished(results, id);
    assert.equal(await job.getState(), 'completed');
    assert.equal(job.returnvalue, 'unknown-snapshot');
  });

  it('records a failed capture with its error', async () => {
    const user = await h.signup();
    const { link, snapshot } = (
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(user.token),
        payload: { url: `http://8.8.8.8/${randomUUID()}` },
      })
    ).json();
    const failed: SnapshotResultInput = {
      ...result(snapshot.id, link.id, [], 'ignored'),
      status: 'failed',
      attempts: 3,
      title: null,
      error: { code: 'DNS_FAILED', title: 'The host name could not be resolved', detail: 'nxdomain' },
    };
    await results.add(snapshot.id, failed, resultJobOptions(snapshot.id));
    const job = await waitFor('failed', async () => {
      const res = await get(user.token, `/v1/jobs/${snapshot.id}`);
      const body = res.json<JobBody>();
      return body.state === 'failed' ? body : undefined;
    });
    assert.equal(job.attempts, 3);
    assert.equal(job.error?.code, 'DNS_FAILED');
    assert.equal((await get(user.token, `/v1/links/${link.id}`)).json().title, null);
  });

  it('reports live progress from the queue, and stays active until the result is consumed', async () => {
    const user = await h.signup();
    const { link, snapshot } = (
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(user.token),
        payload: { url: `http://8.8.8.8/${randomUUID()}` },
      })
    ).json();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Stands in for the snapshotter: reports a stage, then finishes without sending a result yet.
    const worker = new Worker(
      SNAPSHOTS_QUEUE,
      async (job) => {
        if (job.id !== snapshot.id) return; // jobs of the other tests in this file
        await job.updateProgress({ stage: 'screenshot', percent: 40 });
        await released;
      },
      { connection: redisOptions(h.config.REDIS_URL as string), prefix: h.config.QUEUE_PREFIX },
    );
    try {
      const running = await waitFor('active', async () => {
        const body = (await get(user.token, `/v1/jobs/${snapshot.id}`)).json();
        return body.state === 'active' && body.progress.stage === 'screenshot' ? body : undefined;
      });
      assert.deepEqual(running.progress, { stage: 'screenshot', percent: 40 });
      assert.equal(running.attempts, 1);
      release();
      await finished(h.queue(SNAPSHOTS_QUEUE), snapshot.id);
      assert.equal((await get(user.token, `/v1/jobs/${snapshot.id}`)).json().state, 'active');
    } finally {
      release();
      await worker.close();
    }
    await results.add(snapshot.id, result(snapshot.id, link.id, [], 'Done'), resultJobOptions(snapshot.id));
    await waitFor('succeeded', async () => {
      const body = (await get(user.token, `/v1/jobs/${snapshot.id}`)).json();
      return body.state === 'succeeded' ? body : undefined;
    });
  });
});
