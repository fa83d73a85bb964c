/**
 * The network-quiet wait after load (capture/quiet.ts), on the capture pipeline with a real
 * Chromium (a page whose network is still at load is not held for the idle window; a request
 * its load handler starts is waited for), and its rules on a scripted network.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseConfig } from '@linksnap/shared';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type BrowserPool, launchBrowserPool } from '../src/browser-pool.js';
import { type CaptureOutput, capturePage } from '../src/capture/index.js';
import { type NetworkActivity, waitForQuiet } from '../src/capture/quiet.js';

const LATE_TEXT = 'Words fetched after the load event';

let fixture: FixtureServer;
let pool: BrowserPool;

const capture = (path: string): Promise<CaptureOutput> =>
  pool.run((page) => capturePage(page, { url: fixture.url(path), timeoutMs: 20_000 }));
const artifact = (out: CaptureOutput, kind: string): string => {
  const found = out.artifacts.find((a) => a.kind === kind);
  assert.ok(found, `a ${kind} artifact`);
  return found.body.toString('utf8');
};
const networkQuiet = (out: CaptureOutput): unknown =>
  (JSON.parse(artifact(out, 'report')) as { navigation: { networkQuiet: unknown } }).navigation.networkQuiet;

before(async () => {
  fixture = await startFixtureServer();
  // The load handler asks for data that takes 400 ms to come.
  fixture.route('/late-fetch', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Late fetch</title></head><body>
<h1>Late fetch</h1><p id="out">waiting</p>
<script>
addEventListener('load', () => {
  fetch('/late-data').then((r) => r.text()).then((t) => { document.getElementById('out').textContent = t; });
});
</script></body></html>`);
  });
  fixture.route('/late-data', (_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(LATE_TEXT);
    }, 400);
  });
  const config = parseConfig({ CAPTURE_CONCURRENCY: '1', CAPTURE_TIMEOUT_MS: '20000' });
  pool = await launchBrowserPool({ config, args: [] });
});
after(async () => {
  await pool?.close();
  await fixture?.close();
});

test('a page whose network is still at load ends its quiet wait early', async () => {
  const out = await capture('/simple');
  assert.equal(networkQuiet(out), 'still');
});

test('a request the load handler starts is waited for', async () => {
  const out = await capture('/late-fetch');
  assert.equal(networkQuiet(out), 'idle');
  assert.equal(fixture.hits.get('/late-data'), 1);
  assert.match(artifact(out, 'html'), new RegExp(LATE_TEXT));
});

/** A network driven by the test: `begin` and `end` stand for a request starting and ending. */
function scriptedNetwork(inFlightAtStart = 0) {
  let inFlight = inFlightAtStart;
  let started = inFlightAtStart;
  let last = performance.now();
  const waiters: (() => void)[] = [];
  const changed = () => {
    last = performance.now();
    for (const wake of waiters.splice(0)) wake();
  };
  const activity: NetworkActivity = {
    inFlight: () => inFlight,
    lastActivity: () => last,
    started: () => started,
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    stop: () => changed(),
  };
  return {
    activity,
    begin: () => {
      inFlight++;
      started++;
      changed();
    },
    end: () => {
      inFlight--;
      changed();
    },
  };
}

test('a request starting within the grace is waited for until it ends', async () => {
  const network = scriptedNetwork();
  const events: string[] = [];
  setTimeout(() => {
    network.begin();
    events.push('request started');
  }, 20);
  setTimeout(() => {
    network.end();
    events.push('request ended');
  }, 120);
  const outcome = await waitForQuiet(network.activity, { idleMs: 30, graceMs: 5_000, timeoutMs: 10_000 });
  events.push(`quiet: ${outcome}`);
  assert.deepEqual(events, ['request started', 'request ended', 'quiet: idle']);
});

test('a request in flight at load is waited for; one that never ends meets the bound', async () => {
  const ending = scriptedNetwork(1);
  const events: string[] = [];
  setTimeout(() => {
    ending.end();
    events.push('request ended');
  }, 50);
  events.push(`quiet: ${await waitForQuiet(ending.activity, { idleMs: 10, graceMs: 0, timeoutMs: 10_000 })}`);
  assert.deepEqual(events, ['request ended', 'quiet: idle']);

  const endless = scriptedNetwork(1);
  assert.equal(await waitForQuiet(endless.activity, { idleMs: 10, graceMs: 0, timeoutMs: 50 }), 'timeout');
});

test('a still network with nothing starting within the grace is quiet', async () => {
  const network = scriptedNetwork();
  assert.equal(await waitForQuiet(network.activity, { idleMs: 5_000, graceMs: 20, timeoutMs: 10_000 }), 'still');
});
