/**
 * The egress proxy on its own, with fake resolvers: hostile DNS answers must never lead to a
 * connection to a private address. Only 127.0.0.1 is ever dialled; "public" addresses appear
 * only as fake resolver answers and go to an injected dialer.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ResolvedAddress, Resolver } from '@linksnap/shared';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type EgressProxy, type EgressProxyOptions, startEgressProxy } from '../src/egress/proxy.js';
import type { StrayRequest } from '../src/egress/strays.js';

interface Canary {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** A loopback listener that must never be reached. */
async function startCanary(host = '127.0.0.1', port = 0): Promise<Canary> {
  const sockets = new Set<net.Socket>();
  const canary = { port: 0, connections: 0, close: async () => {} };
  const server = net.createServer((socket) => {
    canary.connections += 1;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  canary.port = (server.address() as net.AddressInfo).port;
  canary.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return canary;
}

/** A proxy with a capture running: outside one, the pages' listener refuses everything. */
async function startCapturing(options: EgressProxyOptions): Promise<EgressProxy> {
  const proxy = await startEgressProxy(options);
  proxy.beginCapture();
  return proxy;
}

/** A plain-HTTP request through the proxy (absolute-form URI). */
function proxiedGet(
  proxy: EgressProxy,
  url: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = http.request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'GET',
      path: url,
      headers: { host: target.host },
      agent: false,
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A CONNECT through the proxy; resolves with the status line's code and headers. */
function proxiedConnect(
  proxy: EgressProxy,
  authority: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: authority, agent: false });
    req.on('connect', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

const fakeResolver =
  (answers: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const list = answers[hostname];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return list.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('egress proxy', () => {
  let fixture: FixtureServer;
  let canary: Canary;

  before(async () => {
    fixture = await startFixtureServer();
    canary = await startCanary();
  });
  after(async () => {
    await canary.close();
    await fixture.close();
  });

  test('refuses a public-looking name that resolves to loopback, and never connects', async () => {
    const proxy = await startCapturing({
      allow: [fixture.hostPort],
      resolver: fakeResolver({ 'news.example': ['127.0.0.1'] }),
    });
    try {
      const plain = await proxiedGet(proxy, `http://news.example:${canary.port}/`);
      assert.equal(plain.status, 403);
      assert.equal(plain.headers['x-egress-blocked'], 'SSRF_BLOCKED');
      const tunnel = await proxiedConnect(proxy, `news.example:${canary.port}`);
      assert.equal(tunnel.status, 403);
      assert.equal(tunnel.headers['x-egress-blocked'], 'SSRF_BLOCKED');
      const literal = await proxiedConnect(proxy, `[::ffff:127.0.0.1]:${canary.port}`);
      assert.equal(literal.status, 403);
      const direct = await proxiedGet(proxy, `http://127.0.0.1:${canary.port}/`);
      assert.equal(direct.status, 403);
      assert.equal(canary.connections, 0);
      const verdict = proxy.lastRecord(`news.example:${canary.port}`);
      assert.equal(verdict?.outcome, 'blocked');
      assert.equal(verdict?.code, 'SSRF_BLOCKED');
    } finally {
      await proxy.close();
    }
  });

  test('dials only the address it checked when DNS rebinds to loopback', async () => {
    let lookups = 0;
    const resolver: Resolver = async () => {
      lookups += 1;
      // First answer public (passes the check), every later one loopback (the rebinding).
      return [{ address: lookups === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    const dialled: string[] = [];
    const proxy = await startCapturing({
      allow: [],
      resolver,
      // Stands in for the public host: record the address, serve from the loopback fixture.
      dial: (address, _port) => {
        dialled.push(address.address);
        return net.connect({ host: '127.0.0.1', port: fixture.port });
      },
    });
    try {
      const res = await proxiedGet(proxy, `http://rebind.example:${fixture.port}/simple`);
      assert.equal(res.status, 200);
      assert.match(res.body, /quick brown fox/);
      assert.equal(lookups, 1, 'the proxy resolves once per connection');
      assert.deepEqual(dialled, ['93.184.216.34']);
      assert.equal(proxy.lastRecord(`rebind.example:${fixture.port}`)?.address, '93.184.216.34');

      // The next connection sees the rebound answer and is refused before any dial.
      const second = await proxiedConnect(proxy, `rebind.example:${canary.port}`);
      assert.equal(second.status, 403);
      assert.deepEqual(dialled, ['93.184.216.34']);
      assert.equal(canary.connections, 0);
    } finally {
      await proxy.close();
    }
  });

  test("refuses and counts, never dialling, requests outside a running capture and the browser's own", async () => {
    const strays: StrayRequest[] = [];
    const proxy = await startEgressProxy({ allow: [fixture.hostPort], onStray: (s) => strays.push(s) });
    const hits = () => fixture.hits.get('/simple') ?? 0;
    const before = hits();
    try {
      const idle = await proxiedGet(proxy, fixture.url('/simple'));
      assert.equal(idle.status, 403);
      assert.equal((await proxiedConnect(proxy, fixture.hostPort)).status, 403);
      assert.equal(hits(), before, 'nothing reached the target');

      // The launch-wide listener Chromium's own requests go to.
      const own = Number(/--proxy-server=http:\/\/127\.0\.0\.1:(\d+)/.exec(proxy.chromiumArgs().join(' '))?.[1]);
      const ownProxy = { port: own } as EgressProxy;
      assert.equal((await proxiedGet(ownProxy, fixture.url('/simple'))).status, 403);
      assert.equal(hits(), before);

      const end = proxy.beginCapture();
      assert.equal((await proxiedGet(proxy, fixture.url('/simple'))).status, 200, 'a running capture goes through');
      end();
      end();
      assert.equal((await proxiedGet(proxy, fixture.url('/simple'))).status, 403, 'ending twice counts once');

      assert.deepEqual(
        strays.map((s) => s.listener),
        ['page', 'page', 'browser', 'page'],
      );
      assert.equal(strays[1]?.request, `CONNECT ${fixture.hostPort}`);
      assert.equal(proxy.strayCount(), 4);
      assert.deepEqual(proxy.browserRequests, [`GET ${fixture.url('/simple')}`]);
      assert.equal(proxy.strayRequests.length, 4);
    } finally {
      await proxy.close();
    }
  });

  test('forwards allow-listed targets and reports DNS and connect failures', async () => {
    const closed = await startCanary();
    await closed.close();
    const proxy = await startCapturing({
      allow: [fixture.hostPort, `127.0.0.1:${closed.port}`],
      resolver: fakeResolver({}),
    });
    try {
      const ok = await proxiedGet(proxy, fixture.url('/simple'));
      assert.equal(ok.status, 200);
      assert.match(ok.body, /quick brown fox/);
      const tunnel = await proxiedConnect(proxy, fixture.hostPort);
      assert.equal(tunnel.status, 200);

      const dns = await proxiedGet(proxy, 'http://nowhere.invalid/');
      assert.equal(dns.status, 502);
      assert.equal(dns.headers['x-egress-error'], 'DNS_FAILED');

      const refused = await proxiedConnect(proxy, `127.0.0.1:${closed.port}`);
      assert.equal(refused.status, 502);
      assert.equal(refused.headers['x-egress-error'], 'CONNECTION_FAILED');
      assert.equal(proxy.lastFailure([`127.0.0.1:${closed.port}`])?.code, 'CONNECTION_FAILED');
    } finally {
      await proxy.close();
    }
  });
});
