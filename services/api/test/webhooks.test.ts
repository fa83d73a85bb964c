/**
 * Webhooks end to end inside the API: registration behind the egress guard, a signed delivery
 * to an allow-listed loopback receiver when a result lands, and a retry after a failed attempt.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { RESULTS_QUEUE, redisOptions, resultJobOptions, WEBHOOKS_QUEUE } from '@linksnap/shared';
import { Queue } from 'bullmq';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

function verify(secret: string, header: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = fn();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('webhooks', () => {
  let h: Harness;
  let receiver: http.Server;
  let base: string;
  const received: Received[] = [];

  before(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        const attempt = received.filter((r) => r.path === req.url).length + 1;
        // /flaky fails its first delivery; the queue must retry it.
        const status = req.url === '/flaky' && attempt === 1 ? 500 : 204;
        received.push({ path: req.url ?? '', headers: req.headers, body, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
    h = await startHarness({ allow: [`127.0.0.1:${port}`], extra: { WEBHOOK_BACKOFF_MS: '100' } });
  });
  after(async () => {
    const q = new Queue(WEBHOOKS_QUEUE, {
      connection: redisOptions(h.config.REDIS_URL as string),
      prefix: h.config.QUEUE_PREFIX,
    });
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
    await h.close();
    await new Promise((r) => receiver.close(r));
  });

  const inject = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    h.api.app.inject({ method, url, headers: bearer(token), payload });

  it('rejects a private target at registration with SSRF_BLOCKED unless allow-listed', async () => {
    const user = await h.signup();
    for (const url of ['http://127.0.0.1:9/hook', 'http://10.0.0.7/hook', 'http://169.254.169.254/latest']) {
      const res = await inject(user.token, 'POST', '/v1/webhooks', { url });
      assert.equal(res.statusCode, 400, url);
      assert.ok(isProblem(res));
      assert.equal(res.json().code, 'SSRF_BLOCKED');
    }
    const bad = await inject(user.token, 'POST', '/v1/webhooks', { url: 'ftp://example.com/x' });
    assert.equal(bad.statusCode, 400);
  });

  it('delivers a signed event when a snapshot finishes, retrying a failed delivery', async () => {
    const user = await h.signup();
    const ok = await inject(user.token, 'POST', '/v1/webhooks', { url: `${base}/ok` });
    assert.equal(ok.statusCode, 201, ok.body);
    const secret = ok.json().secret as string;
    assert.match(secret, /^whsec_/);
    const flaky = await inject(user.token, 'POST', '/v1/webhooks', {
      url: `${base}/flaky`,
      events: ['snapshot.succeeded'],
    });
    assert.equal(flaky.statusCode, 201);
    const list = await inject(user.token, 'GET', '/v1/webhooks');
    assert.equal(list.json().items.length, 2);
    assert.ok(
      list.json().items.every((w: Record<string, unknown>) => w.secret === undefined),
      'secret shown once',
    );

    const created = await inject(user.token, 'POST', '/v1/links', { url: `http://8.8.8.8/${randomUUID()}` });
    const { link, snapshot } = created.json();
    const results = h.queue(RESULTS_QUEUE);
    await results.add(
      snapshot.id,
      {
        snapshotId: snapshot.id,
        linkId: link.id,
        status: 'succeeded',
        attempts: 1,
        error: null,
        finalUrl: 'http://8.8.8.8/',
        httpStatus: 200,
        contentType: 'text/html',
        title: 'Hooked',
        lang: 'en',
        text: 'hello',
        timings: { navigate: 10 },
        artifacts: [],
        missing: [],
        startedAt: new Date().toISOString(),
        finishedAt: new Date().toISOString(),
      },
      resultJobOptions(snapshot.id),
    );

    const delivery = await waitFor('delivery to /ok', () => received.find((r) => r.path === '/ok'));
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.equal(delivery.headers['x-linksnap-event'], 'snapshot.succeeded');
    const signature = String(delivery.headers['x-linksnap-signature']);
    assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.ok(verify(secret, signature, delivery.body), 'the signature verifies with the secret');
    assert.ok(!verify('whsec_wrong', signature, delivery.body));
    const body = JSON.parse(delivery.body);
    assert.equal(body.event, 'snapshot.succeeded');
    assert.equal(body.data.snapshot.id, snapshot.id);
    assert.equal(body.data.snapshot.title, 'Hooked');

    const flakyAttempts = await waitFor('second delivery to /flaky', () => {
      const seen = received.filter((r) => r.path === '/flaky');
      return seen.length >= 2 ? seen : undefined;
    });
    assert.deepEqual(
      flakyAttempts.map((r) => r.status),
      [500, 204],
    );
    assert.equal(flakyAttempts[0]?.headers['x-linksnap-delivery'], flakyAttempts[1]?.headers['x-linksnap-delivery']);
  });

  it('deletes a webhook; another user cannot see or delete it', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const created = await inject(user.token, 'POST', '/v1/webhooks', { url: `${base}/gone` });
    const id = created.json().id as string;
    assert.equal((await inject(other.token, 'GET', '/v1/webhooks')).json().items.length, 0);
    assert.equal((await inject(other.token, 'DELETE', `/v1/webhooks/${id}`)).statusCode, 404);
    assert.equal((await inject(user.token, 'DELETE', `/v1/webhooks/${id}`)).statusCode, 204);
    assert.equal((await inject(user.token, 'DELETE', `/v1/webhooks/${id}`)).statusCode, 404);
    assert.equal((await inject(user.token, 'GET', '/v1/webhooks')).json().items.length, 0);
  });
});
