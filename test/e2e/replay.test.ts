/**
 * Done-when of offline replay, through the real pipeline: the rich fixture page (redirect,
 * stylesheet, web font, image, XHR paragraph) is captured by a snapshotter process into a WACZ;
 * the fixture server is closed; Chromium opens the viewer's full-window replay, which renders
 * the page from the archive alone, with no request leaving the platform's origin (service
 * worker requests included) and uncaptured links kept inside the replay. Then the archive
 * exports: two versions merged into one WACZ that warcio reads.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser } from 'puppeteer-core';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import {
  leavingRequests,
  openReplay,
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
    const shown = await readRichPage(frame);
    assert.ok(shown.imageWidth > 0, 'the image is replayed');
    assert.equal(shown.xhrText, XHR_TEXT);
    assert.ok(shown.fontLoaded, 'the web font is replayed');
    assert.equal(shown.headingColor, 'rgb(20, 60, 140)');

    await frame.click('#canary');
    const notArchived = await page.waitForFrame((f) => f.url().includes('mp_/') && f.url().includes(canary.origin));
    await notArchived.waitForFunction(() => document.body?.textContent?.includes('Archived Page Not Found'));
    assert.deepEqual(canary.hits, []);
    assert.deepEqual(leavingRequests(requests, [stack.baseUrl]), []);
    console.log(`[replay] ${requests.length} requests, none beyond ${stack.baseUrl}`);
    await page.close();

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
});
