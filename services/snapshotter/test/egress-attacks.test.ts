/**
 * SSRF attacks end to end: real Chromium behind the egress proxy, real Redis and embedded S3.
 * The fixture server is allow-listed; the canaries (loopback listeners that are NOT) must never
 * see a single connection, whatever form the job URL takes and whatever the captured page does.
 * Name resolution is faked: no real DNS, and only 127.0.0.1 / ::1 are ever dialled.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  type Config,
  type ObjectStorage,
  parseConfig,
  RESULTS_QUEUE,
  type Resolver,
  redisOptions,
  resolveEgressTarget,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  type SnapshotResult,
  storageFromConfig,
} from '@linksnap/shared';
import { type ConnectionOptions, Queue } from 'bullmq';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { startTestS3, testEnv } from '../../../test/support/services.js';
import { enqueueSnapshot, waitForResult } from '../../../test/support/snapshotter-harness.js';
import { type Snapshotter, startSnapshotter } from '../src/worker.js';

type EmbeddedS3 = Awaited<ReturnType<typeof startTestS3>>;

interface Canary {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** A TCP listener that counts every connection it is offered; it must stay at zero. */
async function startCanary(host: string, port = 0): Promise<Canary | null> {
  const sockets = new Set<net.Socket>();
  const canary: Canary = { port: 0, connections: 0, close: async () => {} };
  const server = net.createServer((socket) => {
    canary.connections += 1;
    sockets.add(socket);
    socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
  } catch {
    return null;
  }
  canary.port = (server.address() as net.AddressInfo).port;
  canary.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return canary;
}

/** A UDP listener: WebRTC (STUN/TURN) and WebTransport (QUIC) would go around an HTTP proxy. */
async function startUdpCanary(): Promise<{ port: number; datagrams: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const canary = { port: 0, datagrams: 0, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
  socket.on('message', () => {
    canary.datagrams += 1;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  canary.port = socket.address().port;
  return canary;
}

const PASSWD_MARKER = 'root:x:0:0';

describe('egress attacks against a real capture', () => {
  let s3: EmbeddedS3;
  let fixture: FixtureServer;
  let canary: Canary;
  let canary6: Canary | null;
  let udp: Awaited<ReturnType<typeof startUdpCanary>>;
  let config: Config;
  let snapshotter: Snapshotter;
  let jobs: Queue<SnapshotJob>;
  let results: Queue<SnapshotResult>;
  let storage: ObjectStorage;
  /** Per-name resolution state for the rebinding case. */
  const rebindCalls = new Map<string, number>();

  /** Hostile DNS: every answer is loopback, except the first answer for `rebind.*` names. */
  const resolver: Resolver = async (name) => {
    if (name.startsWith('rebind.')) {
      const n = (rebindCalls.get(name) ?? 0) + 1;
      rebindCalls.set(name, n);
      // The first answer (the submit-time check) is public; never dialled by this test.
      return n === 1 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    }
    if (name.endsWith('.example.com')) return [{ address: '127.0.0.1', family: 4 }];
    throw new Error(`tests resolve no names (${name})`);
  };

  const totalConnections = () => canary.connections + (canary6?.connections ?? 0);

  before(async () => {
    s3 = await startTestS3();
    fixture = await startFixtureServer();
    canary = (await startCanary('127.0.0.1')) as Canary;
    // Same port on ::1 when IPv6 loopback exists, so one port number covers both families.
    canary6 = await startCanary('::1', canary.port);
    udp = await startUdpCanary();
    const c = canary.port;
    fixture.route('/redirect-to-canary', (_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${c}/stolen` });
      res.end();
    });
    fixture.route('/hostile', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      const target = `http://127.0.0.1:${c}`;
      res.end(`<!doctype html><html lang="en"><head><title>Hostile subresources</title>
<link rel="prefetch" href="${target}/prefetch">
<link rel="preconnect" href="${target}">
<link rel="stylesheet" href="${target}/style.css">
<style>body { background: url(${target}/bg.png); } @import url(${target}/imported.css);</style>
</head><body><h1>Hostile page</h1><p>Every subresource below targets the canary.</p>
<img src="${target}/img.png" alt="">
<iframe src="${target}/frame"></iframe>
<iframe src="http://[::1]:${c}/frame6"></iframe>
<iframe src="http://0.0.0.0:${c}/frame0"></iframe>
<script>
  const t = ${JSON.stringify(target)};
  fetch(t + '/fetch').catch(() => {});
  fetch(t + '/fetch-no-cors', { mode: 'no-cors' }).catch(() => {});
  try { const x = new XMLHttpRequest(); x.open('GET', t + '/xhr'); x.send(); } catch {}
  try { new WebSocket('ws://127.0.0.1:${c}/ws'); } catch {}
  try { new Worker(t + '/worker.js'); } catch {}
  try { navigator.serviceWorker && navigator.serviceWorker.register(t + '/sw.js').catch(() => {}); } catch {}
  try { navigator.serviceWorker && navigator.serviceWorker.register('/sw-same-origin.js').catch(() => {}); } catch {}
  try { navigator.sendBeacon(t + '/beacon', 'x'); } catch {}
  try { new EventSource(t + '/events'); } catch {}
  try { new WebTransport('https://127.0.0.1:${udp.port}/wt').ready.catch(() => {}); } catch {}
  try {
    const pc = new RTCPeerConnection({ iceServers: [
      { urls: 'stun:127.0.0.1:${udp.port}' },
      { urls: 'turn:127.0.0.1:${udp.port}?transport=udp', username: 'u', credential: 'p' },
      { urls: 'turn:127.0.0.1:${c}?transport=tcp', username: 'u', credential: 'p' },
    ] });
    pc.createDataChannel('x');
    pc.createOffer().then((o) => pc.setLocalDescription(o)).catch(() => {});
  } catch {}
  try { const i = new Image(); i.src = 'http://2130706433:${c}/decimal'; } catch {}
</script>
<p>The hostile page body text, long enough to count as an article for the readable stage.</p>
</body></html>`);
    });
    fixture.route('/sw-same-origin.js', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(`self.addEventListener('install', () => { fetch('http://127.0.0.1:${c}/from-sw').catch(() => {}); });`);
    });
    fixture.route('/redirect-to-file', (_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    });
    fixture.route('/meta-refresh', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>Meta refresh</title>
<meta http-equiv="refresh" content="0;url=http://127.0.0.1:${c}/meta"></head><body><p>Refreshing.</p></body></html>`);
    });
    fixture.route('/script-navigation', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>Script navigation</title></head><body><p>Moving.</p>
<script>location.href = 'http://0x7f000001:${c}/scripted'; window.open('http://127.0.0.1:${c}/popup');</script>
<form id="f" method="post" action="http://127.0.0.1:${c}/form"></form><script>document.getElementById('f').submit();</script>
</body></html>`);
    });
    fixture.route('/file-frame', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><title>File frame</title></head><body>
<p>A page that frames a local file.</p>
<iframe src="file:///etc/passwd"></iframe>
<object data="file:///etc/passwd"></object>
<img src="file:///etc/passwd">
</body></html>`);
    });

    config = parseConfig(
      testEnv({
        s3,
        databaseUrl: null,
        allow: [fixture.hostPort],
        extra: {
          // These tests exercise the address classification itself, so the test-only
          // allow-list-only mode is off; the resolver above never hands the proxy a public address.
          EGRESS_ALLOW_ONLY: 'false',
          CAPTURE_ATTEMPTS: '3',
          CAPTURE_BACKOFF_MS: '100',
          CAPTURE_TIMEOUT_MS: '20000',
          CAPTURE_CONCURRENCY: '4',
        },
      }),
    );
    const connection = redisOptions(config.REDIS_URL as string) as ConnectionOptions;
    jobs = new Queue(SNAPSHOTS_QUEUE, { prefix: config.QUEUE_PREFIX, connection });
    results = new Queue(RESULTS_QUEUE, { prefix: config.QUEUE_PREFIX, connection });
    storage = storageFromConfig(config);
    snapshotter = await startSnapshotter(config, { resolver });
  });

  after(async () => {
    await snapshotter?.close();
    await jobs?.obliterate({ force: true });
    await results?.obliterate({ force: true });
    await Promise.allSettled([jobs?.close(), results?.close()]);
    await Promise.allSettled([fixture?.close(), canary?.close(), canary6?.close(), udp?.close(), s3?.close()]);
  });

  const enqueue = (url: string) => enqueueSnapshot(jobs, config, url);
  const resultOf = (snapshotId: string, timeoutMs = 40_000) => waitForResult(results, snapshotId, timeoutMs);

  async function artifactText(result: SnapshotResult, kind: string): Promise<string> {
    const artifact = result.artifacts.find((a) => a.kind === kind);
    assert.ok(artifact, `${kind} artifact stored`);
    return (await storage.getBuffer(artifact.key)).toString('utf8').replace(/=\r?\n/g, '');
  }

  async function assertBlocked(url: string): Promise<void> {
    const before = totalConnections();
    const snapshotId = await enqueue(url);
    const result = await resultOf(snapshotId);
    assert.equal(result.status, 'failed', `${url}: ${JSON.stringify(result.error)}`);
    assert.equal(result.error?.code, 'SSRF_BLOCKED', `${url}: ${JSON.stringify(result.error)}`);
    assert.equal(result.attempts, 1, `${url} is not retried`);
    // The result message may land just before BullMQ records the failure on the job.
    let job = await jobs.getJob(snapshotId);
    for (let i = 0; i < 50 && !job?.finishedOn; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = await jobs.getJob(snapshotId);
    }
    assert.equal(job?.attemptsMade, 1, `${url} ran once`);
    assert.deepEqual(result.artifacts, []);
    assert.equal(totalConnections(), before, `${url} reached the canary`);
  }

  test('every spelling of a loopback job URL fails SSRF_BLOCKED, once, and never connects', async () => {
    const c = canary.port;
    const urls = [
      `http://127.0.0.1:${c}/`,
      `http://0.0.0.0:${c}/`,
      `http://2130706433:${c}/`,
      `http://0x7f000001:${c}/`,
      `http://0x7f.0.0.1:${c}/`,
      `http://0177.0.0.1:${c}/`,
      `http://127.1:${c}/`,
      `http://[::ffff:127.0.0.1]:${c}/`,
      `http://[::ffff:7f00:1]:${c}/`,
      `http://[::127.0.0.1]:${c}/`,
      `http://[64:ff9b::7f00:1]:${c}/`,
      `HTTP://127.0.0.1:${c}/`,
      `http://localhost:${c}/`,
      `http://localhost.:${c}/`,
      `http://LOCALHOST.:${c}/`,
      `http://foo.localhost:${c}/`,
      `http://[::]:${c}/`,
      `http://[::1]:${c}/`,
    ];
    await Promise.all(urls.map((url) => assertBlocked(url)));
    assert.equal(totalConnections(), 0);
  });

  test('a public-looking name that resolves to loopback is blocked', async () => {
    await assertBlocked(`http://innocent.example.com:${canary.port}/`);
    await assertBlocked(`https://innocent.example.com:${canary.port}/`);
    assert.equal(totalConnections(), 0);
  });

  test('DNS rebinding: a name that was public at submit time is loopback at capture time and stays blocked', async () => {
    const name = `rebind.${randomUUID().slice(0, 8)}.test`;
    // The submit-time check (as the API runs it) sees the public answer.
    const first = await resolveEgressTarget(name, canary.port, { allow: [], resolver });
    assert.equal(first.address, '93.184.215.14');
    await assertBlocked(`http://${name}:${canary.port}/`);
    assert.ok((rebindCalls.get(name) ?? 0) >= 2);
    assert.equal(totalConnections(), 0);
  });

  test('a redirect from an allowed page to the canary fails SSRF_BLOCKED', async () => {
    await assertBlocked(fixture.url('/redirect-to-canary'));
    assert.equal(totalConnections(), 0);
  });

  test('subresources, scripts, sockets, workers and beacons aimed at the canary never reach it', async () => {
    const result = await resultOf(await enqueue(fixture.url('/hostile')));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.missing));
    assert.equal(result.title, 'Hostile subresources');
    // Give late beacons, workers and socket retries a moment to try.
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(totalConnections(), 0);
    assert.equal(udp.datagrams, 0, 'no UDP (WebRTC, WebTransport) left around the proxy');
    const refused = snapshotter.proxy.records.filter(
      (r) => r.outcome === 'blocked' && r.hostPort.endsWith(`:${canary.port}`),
    );
    assert.ok(refused.length > 0, 'the proxy refused the subresources');
    assert.ok(
      snapshotter.proxy.records.every((r) => r.outcome !== 'allowed' || r.hostPort === fixture.hostPort),
      'nothing but the fixture was dialled',
    );
  });

  test('meta refresh, script navigation, popups, form posts and redirects to file: reach nothing', async () => {
    for (const path of ['/meta-refresh', '/script-navigation', '/redirect-to-file']) {
      const result = await resultOf(await enqueue(fixture.url(path)));
      assert.ok(['succeeded', 'partial', 'failed'].includes(result.status), path);
      if (result.status === 'failed') {
        assert.ok(
          ['SSRF_BLOCKED', 'INVALID_URL', 'CONNECTION_FAILED', 'CAPTURE_FAILED', 'UNSUPPORTED_CONTENT'].includes(
            result.error?.code ?? '',
          ),
          `${path}: ${JSON.stringify(result.error)}`,
        );
      }
      for (const artifact of result.artifacts) {
        if (!['html', 'mhtml', 'text', 'metadata'].includes(artifact.kind)) continue;
        const text = (await storage.getBuffer(artifact.key)).toString('utf8');
        assert.ok(!text.includes(PASSWD_MARKER), `${path} ${artifact.kind} holds /etc/passwd`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(totalConnections(), 0);
  });

  test("Chromium's own requests (updates, account checks, network time) are refused, never dialled", async () => {
    // The flags leave Chromium 156 next to nothing to send of its own (browser-silence.test.ts),
    // so the test makes a request the way its services do: from the browser's default context,
    // which has no capture's proxy and goes through the launch-wide one. The name is never
    // resolved: the refusing listener answers without dialling.
    const proxy = snapshotter.proxy;
    const before = proxy.browserRequests.length;
    const ownUrl = `http://update.chromium-own.invalid:${canary.port}/service/update2/json`;
    await snapshotter.pool.run(async (page) => {
      const own = await page.browser().newPage();
      try {
        const response = await own.goto(ownUrl, { timeout: 10_000 }).catch(() => null);
        assert.ok(!response?.ok(), 'the browser-level request got an answer');
      } finally {
        await own.close();
      }
    });
    const seen = proxy.browserRequests.slice(before);
    assert.ok(
      seen.some((request) => request.includes('update.chromium-own.invalid')),
      `the refusing listener saw the browser-level request: ${JSON.stringify(seen)}`,
    );
    assert.equal(totalConnections(), 0);
    // `CONNECT host:443` or `GET http://host/path` → host.
    const hostOf = (target: string) => target.replace(/^\w+ (?:https?:\/\/)?/, '').replace(/[:/].*$/, '');
    const guarded = new Set(proxy.records.map((r) => hostOf(r.hostPort)));
    for (const request of proxy.browserRequests) {
      assert.ok(!guarded.has(hostOf(request)), `${request} reached the guard, which would dial it`);
    }
    // Pages still go through the guard, which allowed the fixture and nothing else.
    const result = await resultOf(await enqueue(fixture.url('/simple')));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.missing));
    assert.ok(proxy.lastRecord(fixture.hostPort)?.outcome === 'allowed');
  });

  test('file: URLs are rejected as jobs and never read from a captured page', async () => {
    const rejected = await resultOf(await enqueue('file:///etc/passwd'));
    assert.equal(rejected.status, 'failed');
    assert.ok(['INVALID_URL', 'SSRF_BLOCKED'].includes(rejected.error?.code ?? ''), JSON.stringify(rejected.error));
    assert.equal(rejected.attempts, 1);

    const result = await resultOf(await enqueue(fixture.url('/file-frame')));
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.missing));
    for (const kind of ['html', 'mhtml']) {
      const text = await artifactText(result, kind);
      assert.ok(text.includes('A page that frames a local file'), `${kind} holds the page`);
      assert.ok(!text.includes(PASSWD_MARKER), `${kind} does not hold /etc/passwd`);
    }
  });
});
