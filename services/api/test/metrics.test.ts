/**
 * GET /metrics on the API: request counts by route pattern and status, queue depth and the age
 * of the oldest waiting capture (no worker runs here, so the job waits), process metrics.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, type Harness, startHarness } from './helpers.js';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = Object.fromEntries([...(match[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(match[4]);
  }
  return undefined;
}

describe('API metrics', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('counts requests by route pattern and reports the waiting capture and its age', async () => {
    const user = await h.signup();
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: 'https://example.com/metrics' },
    });
    assert.equal(created.statusCode, 202);
    const id = created.json().link.id as string;
    await h.api.app.inject({ method: 'GET', url: `/v1/links/${id}`, headers: bearer(user.token) });
    await h.api.app.inject({ method: 'GET', url: `/v1/links/${crypto.randomUUID()}`, headers: bearer(user.token) });
    await new Promise((r) => setTimeout(r, 1100));

    const res = await h.api.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const text = res.body;
    assert.equal(sample(text, 'linksnap_http_requests_total', { route: '/v1/links', status: '202' }), 1);
    // Route patterns, not raw URLs: one series for every link id.
    assert.equal(sample(text, 'linksnap_http_requests_total', { route: '/v1/links/:id', status: '200' }), 1);
    assert.equal(sample(text, 'linksnap_http_requests_total', { route: '/v1/links/:id', status: '404' }), 1);
    assert.ok(!text.includes(id), 'no link id in label values');
    assert.equal(sample(text, 'linksnap_queue_jobs', { queue: 'snapshots', state: 'wait' }), 1);
    assert.equal(sample(text, 'linksnap_queue_jobs', { queue: 'snapshot-results', state: 'wait' }), 0);
    assert.ok((sample(text, 'linksnap_queue_oldest_waiting_seconds', { queue: 'snapshots' }) ?? 0) >= 1);
    assert.ok((sample(text, 'linksnap_api_process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(sample(text, 'linksnap_api_nodejs_heap_size_used_bytes'));
  });
});
