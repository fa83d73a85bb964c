/**
 * The egress proxy against hand-written requests (not a browser): every spelling of a loopback
 * target in absolute-form requests, CONNECT authorities and upgrades, plus requests that try to
 * use the proxy as an origin server or reach the proxy itself. DNS is hostile (every name is
 * loopback); a canary listener must see no connection and the dialler only the allowed fixture.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ResolvedAddress } from '@linksnap/shared';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type EgressProxy, startEgressProxy } from '../src/egress/proxy.js';

/** Sends raw bytes to the proxy and returns the status line's code (0 when closed silently). */
function raw(port: number, request: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      text += chunk;
      if (/\r\n\r\n/.test(text)) socket.destroy();
    });
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text }));
    socket.on('error', () => undefined);
    socket.setTimeout(5_000, () => socket.destroy());
    socket.write(request);
  });
}

describe('egress proxy against raw requests', () => {
  let fixture: FixtureServer;
  let proxy: EgressProxy;
  let canary: net.Server;
  let canaryPort: number;
  let connections = 0;
  const dialled: string[] = [];

  before(async () => {
    fixture = await startFixtureServer();
    canary = net.createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    canaryPort = (canary.address() as net.AddressInfo).port;
    proxy = await startEgressProxy({
      allow: [fixture.hostPort],
      resolver: async () => [{ address: '127.0.0.1', family: 4 }],
      dial: (address: ResolvedAddress, port: number) => {
        dialled.push(`${address.address}:${port}`);
        return net.connect({ host: address.address, port, family: address.family });
      },
    });
    // Outside a running capture the pages' listener refuses everything (egress-proxy.test.ts).
    proxy.beginCapture();
  });
  after(async () => {
    await proxy?.close();
    await new Promise<void>((resolve) => canary.close(() => resolve()));
    await fixture?.close();
  });

  const hosts = () => {
    const c = canaryPort;
    return [
      `127.0.0.1:${c}`,
      `2130706433:${c}`,
      `0x7f000001:${c}`,
      `0x7f.1:${c}`,
      `017700000001:${c}`,
      `127.1:${c}`,
      `0.0.0.0:${c}`,
      `0:${c}`,
      `[::1]:${c}`,
      `[::]:${c}`,
      `[::ffff:127.0.0.1]:${c}`,
      `[::ffff:7f00:1]:${c}`,
      `[0:0:0:0:0:ffff:7f00:1]:${c}`,
      `[::127.0.0.1]:${c}`,
      `[64:ff9b::7f00:1]:${c}`,
      `[2002:7f00:1::]:${c}`,
      `localhost:${c}`,
      `LOCALHOST.:${c}`,
      `a.localhost:${c}`,
      `public.example.com:${c}`,
      `127.0.0.1.:${c}`,
      `${fixture.host}:${proxy.port}`,
    ];
  };

  test('absolute-form requests to any loopback spelling are refused', async () => {
    for (const host of hosts()) {
      const res = await raw(proxy.port, `GET http://${host}/x HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      assert.ok([400, 403, 502].includes(res.status), `${host}: ${res.text.split('\r\n')[0]}`);
      if (res.status === 403) assert.match(res.text, /x-egress-blocked: SSRF_BLOCKED/i);
    }
    assert.equal(connections, 0);
    assert.ok(
      dialled.every((d) => d === fixture.hostPort),
      dialled.join(', '),
    );
  });

  test('CONNECT and upgrade requests to any loopback spelling are refused', async () => {
    for (const host of hosts()) {
      const connect = await raw(proxy.port, `CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      assert.notEqual(connect.status, 200, `CONNECT ${host}`);
      const upgrade = await raw(
        proxy.port,
        `GET http://${host}/ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      assert.notEqual(upgrade.status, 101, `upgrade ${host}`);
    }
    assert.equal(connections, 0);
    assert.ok(
      dialled.every((d) => d === fixture.hostPort),
      dialled.join(', '),
    );
  });

  test('origin-form requests and credentials tricks never reach a private address', async () => {
    const c = canaryPort;
    const attempts = [
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${c}\r\nConnection: close\r\n\r\n`,
      `GET http://${fixture.hostPort}@127.0.0.1:${c}/ HTTP/1.1\r\nHost: ${fixture.hostPort}\r\nConnection: close\r\n\r\n`,
      `GET ftp://127.0.0.1:${c}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET file:///etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ];
    for (const request of attempts) {
      const res = await raw(proxy.port, request);
      assert.ok([400, 403].includes(res.status), request.split('\r\n')[0]);
      assert.doesNotMatch(res.text, /root:x:0:0/);
    }
    assert.equal(connections, 0);
  });

  test('the allow-listed fixture still goes through, with the checked address', async () => {
    const res = await raw(
      proxy.port,
      `GET ${fixture.url('/simple')} HTTP/1.1\r\nHost: ${fixture.hostPort}\r\nConnection: close\r\n\r\n`,
    );
    assert.equal(res.status, 200);
    assert.ok(dialled.includes(fixture.hostPort));
    assert.equal(connections, 0);
  });
});

/** Opens a CONNECT tunnel to `target` through the proxy; resolves once it is established. */
function openTunnel(port: number, target: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      if (/^HTTP\/1\.1 200/.test(chunk.toString('latin1'))) resolve(socket);
      else reject(new Error(chunk.toString('latin1')));
    });
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

/** Everything a socket receives until it closes (reset included). */
function drain(socket: net.Socket): Promise<string> {
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  return new Promise((resolve) => socket.on('close', () => resolve(text)));
}

const until = async (what: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return what();
};

describe('egress proxy when a peer resets its connection', () => {
  let proxy: EgressProxy;
  let upstream: net.Server;
  let target = '';
  // What the upstream does with a connection once its first bytes arrive.
  let behaviour: (socket: net.Socket) => void = () => undefined;
  const upstreamClosed: number[] = [];
  // A socket error without a listener is an uncaught exception: it killed the snapshotter.
  const escaped: unknown[] = [];
  const onEscape = (err: unknown) => escaped.push(err);
  const body = 'x'.repeat(4_000);
  const fullResponse = `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`;
  const halfResponse = `HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\n${body}`;
  const get = () => `GET http://${target}/page HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`;
  const resetSoon = (socket: net.Socket) => setTimeout(() => socket.resetAndDestroy(), 20);

  before(async () => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    upstream = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.on('close', () => upstreamClosed.push(Date.now()));
      socket.once('data', () => behaviour(socket));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    // A long idle timeout: a tunnel closed by it would not count as closed "at once".
    proxy = await startEgressProxy({ allow: [target], idleTimeoutMs: 30_000 });
    proxy.beginCapture();
  });
  after(async () => {
    await proxy?.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });

  test('plain HTTP: a reset before or during the response ends that exchange only', async () => {
    behaviour = (socket) => socket.resetAndDestroy();
    const early = await raw(proxy.port, get());
    assert.equal(early.status, 502);
    assert.match(early.text, /x-egress-error: CONNECTION_FAILED/i);
    assert.equal(proxy.lastRecord(target)?.outcome, 'upstream_failed');

    behaviour = (socket) => {
      socket.write(halfResponse);
      resetSoon(socket);
    };
    const client = net.connect({ host: '127.0.0.1', port: proxy.port });
    client.on('error', () => undefined);
    client.write(get());
    const cut = await drain(client);
    assert.match(cut, /^HTTP\/1\.1 200/);
    assert.ok(cut.length < 100_000, 'the cut response must not look complete');

    behaviour = (socket) => socket.end(fullResponse);
    const next = await raw(proxy.port, get());
    assert.equal(next.status, 200);
    assert.deepEqual(escaped, []);
  });

  test('CONNECT and upgrade: an upstream reset mid-stream closes the client, and the next tunnel works', async () => {
    behaviour = (socket) => {
      socket.write('partial');
      resetSoon(socket);
    };
    const tunnel = await openTunnel(proxy.port, target);
    const closed = drain(tunnel);
    tunnel.write('hello');
    assert.equal(await closed, 'partial');

    const upgrade = net.connect({ host: '127.0.0.1', port: proxy.port });
    upgrade.on('error', () => undefined);
    upgrade.write(
      `GET http://${target}/ws HTTP/1.1\r\nHost: ${target}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    );
    assert.equal(await drain(upgrade), 'partial');

    behaviour = (socket) => socket.on('data', (chunk) => socket.write(chunk)).write('echo:');
    const next = await openTunnel(proxy.port, target);
    const echoed = drain(next);
    next.write('again');
    await until(() => false, 200);
    next.end();
    assert.match(await echoed, /^echo:(again)?$/);
    assert.deepEqual(escaped, []);
  });

  test('a client resetting its side of a CONNECT tunnel closes the upstream at once', async () => {
    let pump: NodeJS.Timeout | undefined;
    behaviour = (socket) => {
      pump = setInterval(() => socket.write(body), 5);
      socket.on('close', () => clearInterval(pump));
    };
    const closedBefore = upstreamClosed.length;
    const tunnel = await openTunnel(proxy.port, target);
    tunnel.write('go');
    await new Promise((resolve) => tunnel.once('data', resolve));
    const resetAt = Date.now();
    tunnel.resetAndDestroy();
    assert.ok(await until(() => upstreamClosed.length > closedBefore), 'the upstream stayed open');
    assert.ok((upstreamClosed.at(-1) as number) - resetAt < 3_000);
    clearInterval(pump);
    assert.deepEqual(escaped, []);
  });

  test('a page that gives up on a request is not recorded as its target failing', async () => {
    behaviour = () => undefined; // never answers
    const since = Date.now();
    const closedBefore = upstreamClosed.length;
    const client = net.connect({ host: '127.0.0.1', port: proxy.port });
    client.on('error', () => undefined);
    client.write(get());
    assert.ok(await until(() => proxy.lastRecord(target, since)?.outcome === 'allowed'));
    client.resetAndDestroy();
    assert.ok(await until(() => upstreamClosed.length > closedBefore), 'the upstream stayed open');
    // Other captures of the same host read these records: a page's own abort is no outage.
    assert.equal(proxy.lastFailure([target], since), undefined);
    assert.deepEqual(escaped, []);
  });

  test('clients resetting right after a refused CONNECT or upgrade do not escape', async () => {
    const browserListener = Number(/:(\d+)$/.exec(proxy.chromiumArgs()[0] as string)?.[1]);
    const requests = [
      'CONNECT update.example.test:443 HTTP/1.1\r\nHost: update.example.test:443\r\n\r\n',
      'GET http://127.0.0.1:1/ws HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
      'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n',
    ];
    const attempts: Promise<string>[] = [];
    for (let i = 0; i < 20; i++) {
      for (const port of [browserListener, proxy.port]) {
        for (const request of requests) {
          const socket = net.connect({ host: '127.0.0.1', port });
          socket.on('error', () => undefined);
          socket.write(request, () => socket.resetAndDestroy());
          attempts.push(drain(socket));
        }
      }
    }
    await Promise.all(attempts);
    // Give the proxy's side time to read the resets.
    await until(() => escaped.length > 0, 300);
    assert.deepEqual(escaped, []);
    // Still serving.
    behaviour = (socket) => socket.end(fullResponse);
    assert.equal((await raw(proxy.port, get())).status, 200);
  });
});
