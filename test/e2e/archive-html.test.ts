/**
 * The self-contained html artifact through the real pipeline: a page with an image, a
 * stylesheet, a web font, an XHR-loaded paragraph and redirects is captured, the fixture
 * server is closed, and the artifact, fetched from the API with its real headers, still shows
 * all of it in Chromium while every request the browser makes is counted: none may leave the
 * API's origin. A hostile page aims every trick at a canary listener that must never be hit,
 * whether the artifact is opened with the API's CSP or with no protection at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import {
  hostilePage,
  IMAGE_SIZE,
  routeSelfContainedPage,
  STYLED_COLOR,
  startCanary,
  XHR_TEXT,
} from '../support/html-fixture.js';
import { Stack } from '../support/stack.js';

type Canary = Awaited<ReturnType<typeof startCanary>>;
/**
 * Long enough for the capture to finish first on a loaded machine (the unit test checks that
 * the refresh is gone; here the <noscript> refresh is the one that would fire at once).
 */
const HOSTILE_REFRESH_S = 60;
const JOB_TIMEOUT_MS = 300_000;

/** A page that lets every request through and lists the ones that left `origin`. */
async function countingPage(
  browser: Browser,
  origin: string,
): Promise<{ page: Page; outside: string[]; all: string[] }> {
  const page = await browser.newPage();
  const outside: string[] = [];
  const all: string[] = [];
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const url = request.url();
    all.push(url);
    if (!url.startsWith('data:') && new URL(url).origin !== origin) outside.push(url);
    // Continued, not aborted: a request that leaks must really try to connect.
    request.continue().catch(() => undefined);
  });
  return { page, outside, all };
}

describe('self-contained html artifact', () => {
  let fixture: FixtureServer;
  let canary: Canary;
  let stack: Stack;
  let browser: Browser;
  let token: string;
  const snapshots: Record<'archive' | 'hostile', string> = { archive: '', hostile: '' };

  before(async () => {
    [fixture, canary] = await Promise.all([startFixtureServer(), startCanary()]);
    routeSelfContainedPage(fixture);
    fixture.route('/hostile', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostilePage(canary.origin, HOSTILE_REFRESH_S));
    });
    [stack, browser] = await Promise.all([
      Stack.start({ allow: [fixture.hostPort] }),
      puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', args: CHROMIUM_ARGS }),
    ]);
    token = (await stack.user()).token;
    // One after the other: two captures at once on a loaded two-core machine time out.
    for (const [name, path] of [
      ['archive', '/selfcontained/start'],
      ['hostile', '/hostile'],
    ] as const) {
      snapshots[name] = await stack.submit(token, fixture.url(path));
      const { job } = await stack.waitForJob(snapshots[name], token, JOB_TIMEOUT_MS);
      assert.equal(job.state, 'succeeded', `${JSON.stringify(job.error)}\n${stack.logs()}`);
    }
    await fixture.close();
    await assert.rejects(fetch(fixture.url('/selfcontained/page')), 'the fixture server is gone');
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await canary?.close();
  });

  /** The artifact's signed URL, as the viewer opens it: served with the API's real headers. */
  const signedUrl = async (id: string) => {
    const res = await stack.request('GET', `/v1/snapshots/${id}/artifacts/html/url`, { token });
    assert.equal(res.status, 200);
    // On the archive listener's origin (absolute), or relative to the API.
    return new URL(res.body.url, stack.baseUrl).href;
  };

  it('shows the image, styles, web font and XHR paragraph with the origin site closed', async () => {
    const url = await signedUrl(snapshots.archive);
    const origin = new URL(url).origin;
    const { page, outside, all } = await countingPage(browser, origin);
    const response = await page.goto(url, { waitUntil: 'load' });
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /(^|; )sandbox(;|$)/);
    assert.equal(response?.headers()['x-content-type-options'], 'nosniff');
    await page.evaluate('document.fonts.ready');

    const seen = (await page.evaluate(`(() => {
      const photo = document.getElementById('photo');
      const h1 = document.getElementById('title');
      return {
        naturalWidth: photo.naturalWidth,
        naturalHeight: photo.naturalHeight,
        color: getComputedStyle(h1).color,
        font: document.fonts.check('16px ArchiveFont') && [...document.fonts].some((f) => f.family.includes('ArchiveFont') && f.status === 'loaded'),
        banner: getComputedStyle(document.getElementById('banner')).backgroundImage.slice(0, 40),
        xhr: document.getElementById('xhr').textContent,
        input: document.getElementById('name').value,
        notes: document.getElementById('notes').value,
      };
    })()`)) as Record<string, unknown>;
    assert.equal(seen.naturalWidth, IMAGE_SIZE.width);
    assert.equal(seen.naturalHeight, IMAGE_SIZE.height);
    assert.equal(seen.color, STYLED_COLOR, 'the @imported stylesheet applies');
    assert.equal(seen.font, true, 'the web font loaded');
    assert.ok(String(seen.banner).startsWith('url("data:image/png;base64,'), String(seen.banner));
    assert.equal(seen.xhr, XHR_TEXT);
    assert.equal(seen.input, 'typed by script', 'form state at capture time is kept');
    assert.equal(seen.notes, 'edited');
    // The rendered glyphs come from the web font, not a fallback.
    const cdp = await page.createCDPSession();
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: '#title' });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    assert.ok(
      fonts.some((f) => f.familyName === 'DejaVu Sans Mono' && f.isCustomFont),
      JSON.stringify(fonts),
    );
    await cdp.detach();

    assert.deepEqual(outside, [], `requests left ${origin}`);
    assert.equal(all.filter((url) => !url.startsWith('data:')).length, 1, `only the artifact itself: ${all.join(' ')}`);
    await page.close();
  });

  it('opens the hostile page without a single connection to the canary', async () => {
    const origin = new URL(stack.baseUrl).origin;
    const html = await stack.download(`/v1/snapshots/${snapshots.hostile}/artifacts/html`, token);
    assert.equal(html.status, 200);
    const stored = html.bytes.toString('utf8');
    assert.ok(stored.includes('Hostile page'), `the page was captured: ${stored.slice(0, 300)}`);
    assert.ok(!stored.includes(canary.origin), 'no reference to the canary is stored');

    // With the API's headers.
    const servedUrl = await signedUrl(snapshots.hostile);
    const served = await countingPage(browser, new URL(servedUrl).origin);
    await served.page.goto(servedUrl, { waitUntil: 'load' });
    // And with no protection at all: scripts enabled, no CSP, no sandbox. Only the file itself
    // stands between the page and the canary.
    const bare = await countingPage(browser, origin);
    bare.page.removeAllListeners('request');
    bare.page.on('request', (request) => {
      const url = request.url();
      if (url === `${origin}/bare-hostile`) {
        request.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: html.bytes }).catch(() => {});
      } else {
        if (!url.startsWith('data:') && new URL(url).origin !== origin) bare.outside.push(url);
        request.continue().catch(() => undefined);
      }
    });
    await bare.page.goto(`${origin}/bare-hostile`, { waitUntil: 'load' });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal(await bare.page.evaluate('location.href'), `${origin}/bare-hostile`, 'no refresh or redirect');
    await bare.page.click('#js').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));

    assert.deepEqual(served.outside, [], 'the served artifact requested nothing outside the API');
    assert.deepEqual(bare.outside, [], 'the bare file requested nothing outside its origin');
    assert.equal(canary.connections(), 0, 'the canary was never contacted');
    await Promise.all([served.page.close(), bare.page.close()]);
  });
});
