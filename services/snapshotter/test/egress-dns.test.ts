/**
 * The egress proxy's DNS path with a resolver that waits: connections to a name that fails
 * share one lookup and reuse its failure, so a dead host does not cost a page one timeout per
 * connection; a name that resolves is still looked up for every connection (rebinding).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import type { Resolver } from '@linksnap/shared';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type EgressProxy, startEgressProxy } from '../src/egress/proxy.js';

const LOOKUP_MS = 300;

let fixture: FixtureServer;
before(async () => {
  fixture = await startFixtureServer();
});
after(async () => {
  await fixture.close();
});

function connect(proxy: EgressProxy, authority: string): Promise<{ status: number; error?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: authority, agent: false });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, error: res.headers['x-egress-error'] as string | undefined });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A resolver that takes LOOKUP_MS per call; `live.test` is the fixture, every other name fails. */
function slowResolver(): { resolver: Resolver; lookups: () => number } {
  let lookups = 0;
  return {
    lookups: () => lookups,
    resolver: async (hostname) => {
      lookups++;
      await new Promise((r) => setTimeout(r, LOOKUP_MS));
      if (hostname === 'live.test') return [{ address: '127.0.0.1', family: 4 }];
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    },
  };
}

test('six connections to a dead name wait for one lookup, and the next reuses its failure', async () => {
  const dns = slowResolver();
  const proxy = await startEgressProxy({ allow: [], resolver: dns.resolver });
  proxy.beginCapture();
  try {
    const t0 = performance.now();
    const first = await Promise.all(Array.from({ length: 6 }, () => connect(proxy, 'cdn.dead.example:443')));
    assert.deepEqual(
      first.map((r) => [r.status, r.error]),
      Array.from({ length: 6 }, () => [502, 'DNS_FAILED']),
    );
    assert.equal(dns.lookups(), 1);
    const t1 = performance.now();
    const again = await connect(proxy, 'cdn.dead.example:443');
    const t2 = performance.now();
    assert.deepEqual([again.status, again.error], [502, 'DNS_FAILED']);
    assert.equal(dns.lookups(), 1, 'the failure is reused');
    assert.ok(t2 - t1 < t1 - t0, `reused failure took ${t2 - t1} ms, the lookup ${t1 - t0} ms`);
    // Every refusal is still recorded per connection, as the capture report reads them.
    assert.equal(proxy.records.filter((r) => r.outcome === 'dns_failed').length, 7);
  } finally {
    await proxy.close();
  }
});

test('a name that resolves is looked up again for every connection', async () => {
  const dns = slowResolver();
  const proxy = await startEgressProxy({ allow: [`live.test:${fixture.port}`], resolver: dns.resolver });
  proxy.beginCapture();
  try {
    assert.equal((await connect(proxy, `live.test:${fixture.port}`)).status, 200);
    assert.equal((await connect(proxy, `live.test:${fixture.port}`)).status, 200);
    assert.equal(dns.lookups(), 2);
  } finally {
    await proxy.close();
  }
});
