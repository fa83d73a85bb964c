/**
 * Done-when of offline replay, through the real pipeline: the rich fixture page (redirect,
 * stylesheet, web font, image, XHR paragraph) is captured by a snapshotter process into a WACZ;
 * the fixture server is closed; Chromium opens the viewer's full-window replay, which renders
 * the page from the archive alone, with no request leaving the platform's origin (service
 * worker requests included) and uncaptured links kept inside the replay. Then the archive
 * exports: two versions merged into one WACZ that warcio reads. Default configuration (no
 * ARCHIVE_ORIGIN): the player comes from the archive listener, another origin than the app's,
 * which serves nothing of /v1 or the UI, and replayed script cannot read the user's data.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser, type Frame, type Page } from 'puppeteer-core';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import {
  leavingRequests,
  openReplay,
  openReplayedPageAlone,
  probeAppFromArchive,
  readRichPage,
  recordWorkerRequests,
  signedInPage,
} from '../support/replay-browser.js';
import { addRichPage, startCanary, XHR_TEXT } from '../support/rich-fixture.js';
import { Stack } from '../support/stack.js';
import { addSteadyPage, STEADY_IMAGE } from '../support/steady-fixture.js';
import { sweepBlobs } from '../support/sweep.js';
import { readWaczRecords } from '../support/wacz-fixture.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('offline replay of a captured page', () => {
  let fixture: FixtureServer;
  /** The unchanged page captured ten times (its own server: the first test closes `fixture`). */
  let steady: FixtureServer;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    [fixture, steady, canary] = await Promise.all([startFixtureServer(), startFixtureServer(), startCanary()]);
    addRichPage(fixture, canary.origin);
    addSteadyPage(steady);
    [stack, browser] = await Promise.all([
      Stack.start({ allow: [fixture.hostPort, steady.hostPort] }),
      puppeteer.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: [...CHROMIUM_ARGS],
      }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await canary?.close();
    await fixture?.close();
    await steady?.close();
  });

  it('replays the capture with the site down, and exports both versions in one WACZ', async () => {
    const user = await stack.user();
    const capture = async (snapshotId: string) => {
      const { job } = await stack.waitForJob(snapshotId, user.token, 300_000);
      assert.equal(job.state, 'succeeded', `${JSON.stringify(job)}\n${stack.logs()}`);
      const snapshot = (await stack.request('GET', `/v1/snapshots/${snapshotId}`, { token: user.token })).body;
      assert.ok(
        snapshot.artifacts.some((a: { kind: string }) => a.kind === 'wacz'),
        'the capture has a WACZ',
      );
      return snapshot;
    };
    const first = await capture(await stack.submit(user.token, fixture.url('/rich-start')));
    const again = await stack.request('POST', `/v1/links/${first.linkId}/snapshots`, { token: user.token });
    const second = await capture(again.body.snapshot.id);
    await fixture.close();

    const requests: string[] = [];
    recordWorkerRequests(browser, requests);
    const page = await signedInPage(browser, stack.baseUrl, user.email);
    const pageUrl = fixture.url('/rich');
    const { frame } = await openReplay(page, `${stack.baseUrl}/snapshots/${second.id}/replay`, pageUrl, requests);
    const replayedUrl = frame.url();
    const shown = await readRichPage(frame);
    assert.ok(shown.imageWidth > 0, 'the image is replayed');
    assert.equal(shown.xhrText, XHR_TEXT);
    assert.ok(shown.fontLoaded, 'the web font is replayed');
    assert.equal(shown.headingColor, 'rgb(20, 60, 140)');

    await frame.click('#canary');
    const notArchived = await page.waitForFrame((f) => f.url().includes('mp_/') && f.url().includes(canary.origin));
    await notArchived.waitForFunction(() => document.body?.textContent?.includes('Archived Page Not Found'));
    assert.deepEqual(canary.hits, []);
    const archiveOrigin = await assertSeparateArchiveOrigin(requests, frame.url());
    assert.deepEqual(leavingRequests(requests, [stack.baseUrl, archiveOrigin]), []);
    console.log(`[replay] ${requests.length} requests, none beyond ${stack.baseUrl} and ${archiveOrigin}`);
    await assertReplayCannotReadApp(page, frame, fixture.url('/rich-start'));
    await page.close();

    // Opened on its own (a new tab), the replayed page goes to our player app, offline, and
    // never to https://replayweb.page, wabac's default.
    const alone = await openReplayedPageAlone(browser, replayedUrl, pageUrl, requests);
    assert.equal(new URL(alone.page.url()).origin, archiveOrigin);
    assert.equal(new URL(alone.page.url()).pathname, '/replay/');
    assert.equal((await readRichPage(alone.frame)).xhrText, XHR_TEXT);
    // The app opened alone registers the worker the embed registered, so opening it replaces no
    // worker under other open replays (it once registered plain sw.js, and players went blank).
    const workers = await alone.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      return [registration?.active, registration?.waiting, registration?.installing].map((w) => w?.scriptURL ?? null);
    });
    assert.deepEqual(workers, [`${archiveOrigin}/replay/sw.js?serveIndex=1`, null, null]);
    assert.deepEqual(leavingRequests(requests, [stack.baseUrl, archiveOrigin]), []);
    const playerAppUrl = alone.page.url();
    await alone.page.close();

    // The player app in a browser profile where no service worker is registered yet: the first
    // load is the server's, uncontrolled; the app registers the worker and replays under it.
    const fresh = await browser.createBrowserContext();
    try {
      const first = await fresh.newPage();
      const firstRequests: string[] = [];
      first.on('request', (request) => firstRequests.push(request.url()));
      await first.goto(playerAppUrl, { waitUntil: 'domcontentloaded' });
      const replayed = await first.waitForFrame((f) => f.url().includes('mp_/') && f.url().endsWith(pageUrl), {
        timeout: 90_000,
      });
      await replayed.waitForFunction(
        (text) => document.getElementById('xhr-para')?.textContent === text,
        { timeout: 90_000 },
        XHR_TEXT,
      );
      assert.deepEqual(leavingRequests(firstRequests, [archiveOrigin]), []);
    } finally {
      await fresh.close();
    }

    const merged = await stack.download(`/v1/links/${first.linkId}/export.wacz`, user.token);
    assert.equal(merged.status, 200);
    assert.match(String(merged.headers.get('content-disposition')), /filename="[0-9a-f-]+\.wacz"/);
    const { records } = await readWaczRecords(merged.bytes);
    // The second version refers to the first's identical payloads with revisits (ADR 0017).
    const responses = records.filter((r) => r.type === 'response' || r.type === 'revisit');
    assert.ok(
      records.some((r) => r.type === 'revisit' && r.file === `archive/${second.id}-data.warc.gz`),
      'the re-capture wrote revisit records',
    );
    for (const id of [first.id, second.id]) {
      const own = responses.filter((r) => r.file === `archive/${id}-data.warc.gz`).map((r) => r.url);
      for (const path of [
        '/rich-start',
        '/rich',
        '/rich/style.css',
        '/rich/font.ttf',
        '/rich/pic.png',
        '/rich/data.json',
      ]) {
        assert.ok(own.includes(fixture.url(path)), `version ${id} holds ${path}`);
      }
    }
    assert.ok(
      responses.every((r) => r.payloadDigestOk),
      'payload digests match',
    );
  });

  it('stores an unchanged page captured 10 times about once; deleting 9 versions frees nothing the 10th needs', async () => {
    const user = await stack.user();
    const usage = async () => (await stack.request('GET', '/v1/usage', { token: user.token })).body;
    const capture = async (snapshotId: string) => {
      const { job } = await stack.waitForJob(snapshotId, user.token, 300_000);
      assert.equal(job.state, 'succeeded', `${JSON.stringify(job)}\n${stack.logs()}`);
      return (await stack.request('GET', `/v1/snapshots/${snapshotId}`, { token: user.token })).body;
    };
    const first = await capture(await stack.submit(user.token, steady.url('/steady')));
    const base = await usage();
    console.log(`[cas] capture 1: bytesStored ${base.bytesStored}, bytesLogical ${base.bytesLogical}`);
    const versions = [first];
    let stored = base.bytesStored as number;
    for (let n = 2; n <= 10; n++) {
      const again = await stack.request('POST', `/v1/links/${first.linkId}/snapshots`, { token: user.token });
      versions.push(await capture(again.body.snapshot.id));
      const now = await usage();
      const added = now.bytesStored - stored;
      console.log(`[cas] capture ${n}: +${added} bytes stored (${((100 * added) / base.bytesStored).toFixed(1)} %)`);
      assert.ok(added <= 0.2 * base.bytesStored, `capture ${n} added ${added} of ${base.bytesStored} bytes`);
      stored = now.bytesStored;
    }
    const all = await usage();
    console.log(`[cas] 10 captures: bytesStored ${all.bytesStored}, bytesLogical ${all.bytesLogical}`);
    assert.equal(all.snapshots, 10);
    const logical = versions.flatMap((v) => v.artifacts as { bytes: number }[]).reduce((n, a) => n + a.bytes, 0);
    assert.equal(all.bytesLogical, logical, 'logical bytes count every version in full');

    // Delete the first nine; the sweep frees only what the tenth does not hold.
    const last = versions[9];
    for (const v of versions.slice(0, 9)) {
      assert.equal((await stack.request('DELETE', `/v1/snapshots/${v.id}`, { token: user.token })).status, 204);
    }
    const sweep = await sweepBlobs(stack);
    const left = await usage();
    console.log(`[cas] deleted 9 versions: sweep freed ${sweep.bytesFreed} bytes; ${left.bytesStored} stored`);
    assert.equal(left.snapshots, 1);
    assert.equal(all.bytesStored - left.bytesStored, sweep.bytesFreed, 'freed exactly the unshared bytes');
    await steady.close();
    for (const artifact of last.artifacts as { kind: string; key: string; sha256: string }[]) {
      assert.equal(sha256(await stack.storage.getBuffer(artifact.key)), artifact.sha256, `${artifact.kind} kept`);
      const res = await stack.download(`/v1/snapshots/${last.id}/artifacts/${artifact.kind}`, user.token);
      assert.equal(res.status, 200, artifact.kind);
      if (artifact.kind !== 'wacz') assert.equal(sha256(res.bytes), artifact.sha256, `${artifact.kind} reads back`);
    }
    // The downloaded WACZ stands alone: the archives its revisits refer to (kept, though the
    // versions that made them are gone) are merged in.
    const own = await readWaczRecords(
      (await stack.download(`/v1/snapshots/${last.id}/artifacts/wacz`, user.token)).bytes,
    );
    assert.ok(own.records.some((r) => r.type === 'response' && r.url === steady.url('/steady/noise.png')));
    assert.ok(
      own.records.every((r) => r.payloadDigestOk),
      'every revisit resolves inside the download',
    );

    // The tenth replays with the site down, the image included, and exports standing alone.
    const requests: string[] = [];
    const page = await signedInPage(browser, stack.baseUrl, user.email);
    const { frame } = await openReplay(
      page,
      `${stack.baseUrl}/snapshots/${last.id}/replay`,
      steady.url('/steady'),
      requests,
    );
    const width = await frame.evaluate(async () => {
      const img = document.getElementById('pic') as HTMLImageElement;
      if (!img.complete) await new Promise((r) => img.addEventListener('load', r, { once: true }));
      return img.naturalWidth;
    });
    assert.equal(width, STEADY_IMAGE.width, 'the 300 KB image is replayed');
    await page.close();
    const exported = await stack.download(`/v1/links/${first.linkId}/export.wacz`, user.token);
    assert.equal(exported.status, 200);
    const { records } = await readWaczRecords(exported.bytes);
    const image = records.filter((r) => r.type === 'response' && r.url === steady.url('/steady/noise.png'));
    assert.equal(image.length, 1, 'the export holds the image itself, once');
    assert.ok(
      records.some((r) => r.type === 'revisit' && r.file === `archive/${last.id}-data.warc.gz`),
      'the tenth version refers to the image with a revisit',
    );
    assert.ok(
      records.every((r) => r.payloadDigestOk),
      'payload digests match',
    );
  });

  /** The player and the replayed page came from the archive listener, which is not the app. */
  async function assertSeparateArchiveOrigin(requests: string[], frameUrl: string): Promise<string> {
    const player = requests.find((u) => new URL(u).pathname.startsWith('/replay-player/'));
    assert.ok(player, 'the player was loaded');
    const archiveOrigin = new URL(player).origin;
    const appOrigin = new URL(stack.baseUrl).origin;
    assert.notEqual(archiveOrigin, appOrigin, 'the player is not on the app origin');
    assert.equal(new URL(frameUrl).origin, archiveOrigin, 'the replayed page runs on the archive origin');
    // The archive listener serves nothing of the API or the UI…
    const user = await stack.user();
    const probes: [string, string][] = [
      ['/v1/links', 'application/json'],
      ['/', 'text/html'],
      ['/snapshots/x/replay', 'text/html'],
    ];
    for (const [path, accept] of probes) {
      const res = await fetch(`${archiveOrigin}${path}`, {
        headers: { accept, authorization: `Bearer ${user.token}` },
      });
      assert.equal(res.status, 404, `${path} on the archive origin`);
      assert.match(String(res.headers.get('content-type')), /^application\/problem\+json/);
      assert.equal(res.headers.get('set-cookie'), null);
    }
    // …and the app serves no player, bundles or archives.
    const signed = new URL(player);
    for (const path of ['/replay/ui.js', '/replay/', `${signed.pathname}${signed.search}`]) {
      const res: Response = await fetch(`${stack.baseUrl}${path}`);
      assert.equal(res.status, 404, `${path} on the app origin`);
    }
    return archiveOrigin;
  }

  /** Signed in, the app reads the user's links; script on the archive origin cannot. */
  async function assertReplayCannotReadApp(page: Page, frame: Frame, linkUrl: string) {
    const own = await page.evaluate(async () => (await fetch('/v1/links')).text());
    assert.ok(own.includes(linkUrl), `the app page itself reads the user's links: ${own.slice(0, 300)}`);
    const probe = await probeAppFromArchive(browser, frame, stack.baseUrl);
    for (const outcome of [probe.asPageScript, probe.raw]) {
      assert.ok(!outcome.includes(linkUrl), `no user data reached the archive origin: ${outcome.slice(0, 300)}`);
    }
    assert.match(probe.raw, /^error: TypeError/, 'the same-origin policy blocks the raw read');
    // The bare app's own worker (sw.js?injectScripts=ruffle…) would replace the players' one.
    assert.match(probe.registration, /^Error during service worker registration/, probe.registration);
    console.log(
      `[replay] from the archive origin: page script got "${probe.asPageScript.slice(0, 80)}", raw got "${probe.raw}"`,
    );
  }
});
