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
import { readWaczRecords } from '../support/wacz-fixture.js';

describe('offline replay of a captured page', () => {
  let fixture: FixtureServer;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let stack: Stack;
  let browser: Browser;

  before(async () => {
    [fixture, canary] = await Promise.all([startFixtureServer(), startCanary()]);
    addRichPage(fixture, canary.origin);
    [stack, browser] = await Promise.all([
      Stack.start({ allow: [fixture.hostPort] }),
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
    assert.deepEqual(leavingRequests(requests, [stack.baseUrl, archiveOrigin]), []);
    await alone.page.close();

    const merged = await stack.download(`/v1/links/${first.linkId}/export.wacz`, user.token);
    assert.equal(merged.status, 200);
    assert.match(String(merged.headers.get('content-disposition')), /filename="[0-9a-f-]+\.wacz"/);
    const { records } = await readWaczRecords(merged.bytes);
    const responses = records.filter((r) => r.type === 'response');
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
    console.log(
      `[replay] from the archive origin: page script got "${probe.asPageScript.slice(0, 80)}", raw got "${probe.raw}"`,
    );
  }
});
