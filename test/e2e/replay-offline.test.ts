/**
 * Offline replay in real Chromium, through the web UI's full-window replay view, with a
 * separate archive origin (the app on http://127.0.0.1:PORT, ARCHIVE_ORIGIN http://localhost:PORT):
 * a WACZ recorded from the rich fixture page (built with warcio from the fixture server's real
 * responses), the fixture server closed, then the view opened. The page must render from the
 * archive alone, and no request may leave the two origins, service worker requests included.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@linksnap/api/embedded/redis-server';
import { ARTIFACT_KINDS, artifactKey } from '@linksnap/shared';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser } from 'puppeteer-core';
import { bearer, type Harness, startHarness, succeededResult } from '../../services/api/test/helpers.js';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import {
  leavingRequests,
  openReplay,
  readRichPage,
  recordWorkerRequests,
  signedInPage,
} from '../support/replay-browser.js';
import { addRichPage, RICH_TITLE, startCanary, XHR_TEXT } from '../support/rich-fixture.js';
import { buildWacz, fetchExchange } from '../support/wacz-fixture.js';

const RESOURCES = ['/rich-start', '/rich', '/rich/style.css', '/rich/font.ttf', '/rich/pic.png', '/rich/data.json'];

describe('replay of a WACZ in Chromium, offline', () => {
  let h: Harness;
  let fixture: FixtureServer;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  let browser: Browser;
  let baseUrl: string;
  let archiveOrigin: string;

  before(async () => {
    const port = await freePort();
    archiveOrigin = `http://localhost:${port}`;
    [h, fixture, canary] = await Promise.all([
      startHarness({ extra: { ARCHIVE_ORIGIN: archiveOrigin } }),
      startFixtureServer(),
      startCanary(),
    ]);
    addRichPage(fixture, canary.origin);
    await h.api.app.listen({ host: '127.0.0.1', port });
    baseUrl = `http://127.0.0.1:${port}`;
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  });
  after(async () => {
    await browser?.close();
    await canary?.close();
    await fixture?.close();
    await h?.close();
  });

  it('renders the archived page with the origin down and sends nothing beyond the API', async () => {
    const user = await h.signup();
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: 'http://8.8.8.8/rich-start' },
    });
    const { link, snapshot } = created.json();
    const exchanges = [];
    for (const path of RESOURCES) exchanges.push(await fetchExchange(fixture.url(path)));
    const pageUrl = fixture.url('/rich');
    const wacz = await buildWacz(exchanges, { url: pageUrl, title: RICH_TITLE });
    const stored = await h.api.storage.put(artifactKey(snapshot.id, 'wacz'), wacz, ARTIFACT_KINDS.wacz.contentType);
    await h.deliverResult(
      succeededResult(snapshot.id, link.id, { finalUrl: pageUrl, artifacts: [{ kind: 'wacz', ...stored }] }),
    );
    await fixture.close();

    const requests: string[] = [];
    recordWorkerRequests(browser, requests);
    const page = await signedInPage(browser, baseUrl, user.email);
    const { frame } = await openReplay(page, `${baseUrl}/snapshots/${snapshot.id}/replay`, pageUrl, requests);
    assert.ok(
      requests.some((u) => u.startsWith(`${archiveOrigin}/replay-player/`)),
      'the player came from the archive origin',
    );
    const shown = await readRichPage(frame);
    assert.ok(shown.imageWidth > 0, 'the image is replayed');
    assert.equal(shown.xhrText, XHR_TEXT);
    assert.ok(shown.fontLoaded, 'the web font is replayed');
    assert.equal(shown.headingColor, 'rgb(20, 60, 140)');

    // Links to pages never captured stay inside the replay.
    await frame.click('#canary');
    const notArchived = await page.waitForFrame((f) => f.url().includes('mp_/') && f.url().includes(canary.origin));
    await notArchived.waitForFunction(() => document.body?.textContent?.includes('Archived Page Not Found'));
    assert.deepEqual(canary.hits, []);
    assert.ok(
      requests.some((u) => u.includes('/archive/') && u.includes('/wacz?')),
      'the worker fetched the WACZ',
    );
    assert.deepEqual(leavingRequests(requests, [baseUrl, archiveOrigin]), []);
    console.log(`replay: ${requests.length} requests, all to ${baseUrl}, ${archiveOrigin} or in-browser`);
    await page.close();

    // A later visit gets a new signed URL for the same collection, and replays again.
    const again = await signedInPage(browser, baseUrl, user.email);
    const { frame: second } = await openReplay(again, `${baseUrl}/snapshots/${snapshot.id}/replay`, pageUrl, requests);
    assert.equal((await readRichPage(second)).xhrText, XHR_TEXT);
    assert.deepEqual(leavingRequests(requests, [baseUrl, archiveOrigin]), []);
    await again.close();
  });
});
