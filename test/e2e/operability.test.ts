/**
 * Operability on a real stack: Prometheus metrics of the API and of a snapshotter, live job
 * events over SSE, and one request id followed from the HTTP request into the worker's logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@linksnap/api/embedded/redis-server';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import { readSse } from '../support/sse.js';
import { Stack } from '../support/stack.js';

/** The value of one sample line of a Prometheus exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[4]);
  }
  return undefined;
}

describe('operability on a real stack', () => {
  let fixture: FixtureServer;
  let stack: Stack;
  let metricsPort: number;

  before(async () => {
    fixture = await startFixtureServer();
    metricsPort = await freePort();
    stack = await Stack.start({ allow: [fixture.hostPort], snapshotters: 0, env: { LOG_LEVEL: 'info' } });
    stack.startSnapshotter({ SNAPSHOTTER_METRICS_PORT: String(metricsPort) });
  });
  after(async () => {
    await stack?.close();
    await fixture?.close();
  });

  it('streams progress then the final state over SSE, and the request id reaches the worker logs', async () => {
    const user = await stack.user();
    const res = await stack.request('POST', '/v1/links', { token: user.token, json: { url: fixture.url('/simple') } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const requestId = res.headers.get('x-request-id') as string;
    const id = res.body.snapshot.id as string;

    const stream = await readSse(`${stack.baseUrl}/v1/jobs/${id}/events`, user.token, 90_000);
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /^text\/event-stream/);
    assert.ok(stream.closed, `the stream closes after the final state\n${stack.logs()}`);
    const last = stream.events.at(-1);
    assert.equal(last?.event, 'state');
    const final = JSON.parse(last?.data ?? '{}');
    assert.equal(final.state, 'succeeded', JSON.stringify(final));
    assert.equal(final.snapshot.id, id);
    const stages = stream.events.filter((e) => e.event === 'progress').map((e) => JSON.parse(e.data).stage);
    assert.ok(stages.length > 0, `progress events were sent: ${JSON.stringify(stream.events)}`);
    assert.ok(stages.includes('screenshot') || stages.includes('upload'), stages.join(','));

    // Already finished: the final state at once, then close.
    const again = await readSse(`${stack.baseUrl}/v1/jobs/${id}/events`, user.token, 5_000);
    assert.ok(again.closed);
    assert.deepEqual(
      again.events.map((e) => e.event),
      ['state'],
    );
    assert.equal(JSON.parse(again.events[0]?.data ?? '{}').state, 'succeeded');

    // Another user's job is a 404 problem, not a stream.
    const other = await stack.user();
    const denied = await readSse(`${stack.baseUrl}/v1/jobs/${id}/events`, other.token, 5_000);
    assert.equal(denied.status, 404);

    // One id, from the HTTP request into the job and the worker's log line for it.
    const apiLines = (stack.api?.output() ?? '').split('\n').filter((l) => l.includes(requestId));
    assert.ok(apiLines.length > 0, 'the API logged the request id');
    const worker = stack.snapshotters[0]?.output() ?? '';
    const workerLines = worker
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .filter((l) => l.requestId === requestId);
    assert.ok(
      workerLines.some((l) => l.snapshotId === id && l.service === 'snapshotter'),
      `snapshotter log lines carry requestId ${requestId}:\n${worker.slice(-3000)}`,
    );
  });

  it('exposes Prometheus metrics on the API and on the snapshotter', async () => {
    const api = await fetch(`${stack.baseUrl}/metrics`);
    assert.equal(api.status, 200);
    assert.match(api.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await api.text();
    assert.ok((sample(text, 'linksnap_http_requests_total', { route: '/v1/links', status: '202' }) ?? 0) >= 1);
    assert.ok(sample(text, 'linksnap_http_request_duration_seconds_count', { route: '/v1/links' }));
    assert.equal(sample(text, 'linksnap_captures_total', { outcome: 'succeeded', code: 'none' }), 1, text);
    assert.equal(sample(text, 'linksnap_queue_jobs', { queue: 'snapshots', state: 'wait' }), 0);
    assert.equal(sample(text, 'linksnap_queue_jobs', { queue: 'snapshots', state: 'completed' }), 1);
    assert.equal(sample(text, 'linksnap_queue_oldest_waiting_seconds', { queue: 'snapshots' }), 0);
    assert.ok((sample(text, 'linksnap_api_process_resident_memory_bytes') ?? 0) > 0);

    const worker = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(worker.status, 200);
    const w = await worker.text();
    assert.equal(sample(w, 'linksnap_snapshotter_captures_total', { outcome: 'succeeded', code: 'none' }), 1, w);
    assert.equal(sample(w, 'linksnap_capture_stage_duration_seconds_count', { stage: 'navigate' }), 1, w);
    assert.ok((sample(w, 'linksnap_browser_pool_browsers') ?? 0) >= 1);
    assert.equal(sample(w, 'linksnap_browser_restarts_total'), 0);
    // The bundled filter lists loaded: tens of thousands of network rules.
    assert.ok((sample(w, 'linksnap_adblock_filters') ?? 0) > 10_000, w);
    assert.ok((sample(w, 'linksnap_snapshotter_process_resident_memory_bytes') ?? 0) > 0);
  });

  it('lists each snapshotter in /readyz with its ad blocking, and forgets one that stopped', async () => {
    type Listed = { id: string; adblock: string; adblockFilters: number; maxConcurrency: number };
    const listed = async (): Promise<Listed[]> => {
      const res = await fetch(`${stack.baseUrl}/readyz`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { snapshotters?: Listed[] }).snapshotters ?? [];
    };
    const until = async (count: number, what: string): Promise<Listed[]> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const now = await listed();
        if (now.length === count) return now;
        if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(now)}\n${stack.logs().slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    const [first] = await until(1, 'the running snapshotter is listed');
    assert.equal(first?.adblock, 'on');
    assert.ok((first?.adblockFilters ?? 0) > 10_000, JSON.stringify(first));
    assert.ok((first?.maxConcurrency ?? 0) >= 1);

    // A second worker whose filter lists cannot be read captures without blocking, and says so.
    const blind = stack.startSnapshotter({ ADBLOCK_LISTS: 'no-such-list.txt' });
    const both = await until(2, 'the second snapshotter is listed');
    const second = both.find((s) => s.id !== first?.id);
    assert.equal(second?.adblock, 'unavailable', JSON.stringify(both));
    assert.equal(second?.adblockFilters, 0);
    assert.match(blind.output(), /could not be loaded/);

    // A clean stop removes it at once, not after the 45 s a silent worker is kept.
    assert.equal(await blind.stop(), 0);
    assert.deepEqual(
      (await listed()).map((s) => s.id),
      [first?.id],
    );
  });
});
