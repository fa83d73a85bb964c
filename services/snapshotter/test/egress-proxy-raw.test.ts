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
