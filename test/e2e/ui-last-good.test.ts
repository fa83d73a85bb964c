/**
 * The last good copy in the web UI, against the real stack: a link captured well, then
 * re-captured while its site resets connections, then while it answers 500, keeps showing
 * (card, thumbnail, search, viewer) the good copy, and says the last attempt failed, with the
 * good copy's date, in English and Chinese.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { type FixtureServer, simplePage, startFixtureServer } from '../support/fixture-server.js';
import { Stack } from '../support/stack.js';

const GOOD_TITLE = 'Fixture: the flaky site on a good day';
const GOOD_TEXT = 'Heliotrope archives survive outages';

describe('web UI: the last good copy', () => {
  let fixture: FixtureServer;
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let mode: 'good' | 'reset' | 'error' = 'good';

  before(async () => {
    fixture = await startFixtureServer();
    fixture.route('/flaky', (req, res) => {
      if (mode === 'reset') return req.socket.resetAndDestroy();
      res.writeHead(mode === 'good' ? 200 : 500, { 'content-type': 'text/html; charset=utf-8' });
      res.end(mode === 'good' ? simplePage(GOOD_TITLE, GOOD_TEXT) : '<title>Oops</title><p>Server error</p>');
    });
    [stack, browser] = await Promise.all([
      Stack.start({ allow: [fixture.hostPort] }),
      puppeteer.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: [...CHROMIUM_ARGS, '--lang=en-US'],
      }),
    ]);
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    page.setDefaultTimeout(30_000);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await fixture?.close();
  });

  const badge = () => page.$eval('.link-card .link-meta .badge', (el) => el.textContent ?? '');
  const thumbnailSrc = () => page.$eval('.link-card img', (el) => el.getAttribute('src') ?? '');

  async function captureAgain(token: string, linkId: string) {
    const res = await stack.request('POST', `/v1/links/${linkId}/snapshots`, { token });
    assert.equal(res.status, 202);
    return (await stack.waitForJob(res.body.snapshot.id, token, 90_000)).job;
  }

  async function openLinks() {
    await page.click('nav a[href="/links"]');
    await page.waitForSelector('.link-card .link-meta .badge');
  }

  it('card, thumbnail, search and viewer keep the good copy after a failed and an error re-capture', async () => {
    const user = await stack.user();
    const submitted = await stack.request('POST', '/v1/links', {
      token: user.token,
      json: { url: fixture.url('/flaky') },
    });
    const linkId: string = submitted.body.link.id;
    const good = (await stack.waitForJob(submitted.body.snapshot.id, user.token, 90_000)).job;
    assert.equal(good.state, 'succeeded', JSON.stringify(good.error));

    mode = 'reset';
    const down = await captureAgain(user.token, linkId);
    assert.equal(down.state, 'failed');
    assert.equal(down.error.code, 'CONNECTION_FAILED');

    // Sign in through the form with the same account.
    await page.goto(stack.baseUrl, { waitUntil: 'networkidle0' });
    await page.waitForSelector('#auth-email');
    await page.type('#auth-email', user.email);
    await page.type('#auth-password', 'correct horse battery');
    await page.click('.auth button[type="submit"]');
    await page.waitForSelector('#add-urls');
    await openLinks();
    assert.match(await badge(), /^Last attempt failed, showing the copy of .+/);
    assert.equal(await thumbnailSrc(), `/v1/snapshots/${good.id}/artifacts/thumbnail`);
    assert.deepEqual(await page.$$eval('.link-card h3', (els) => els.map((e) => e.textContent)), [GOOD_TITLE]);

    mode = 'error';
    const broken = await captureAgain(user.token, linkId);
    assert.equal(broken.state, 'succeeded');
    assert.equal(broken.errorCapture, true);
    assert.equal(broken.snapshot.httpStatus, 500);

    await page.click('nav a[href="/"]');
    await openLinks();
    assert.match(await badge(), /^Last attempt got an error page \(HTTP 500\), showing the copy of .+/);
    assert.equal(await thumbnailSrc(), `/v1/snapshots/${good.id}/artifacts/thumbnail`);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.link-card img');
      return Boolean(img?.complete && img.naturalWidth > 0);
    });
    // Search reads the good copy's text, never the error page's.
    await page.type('#links-q', 'Oops');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.state-empty');
    await page.click('#links-q', { count: 3 });
    await page.type('#links-q', 'Heliotrope');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.link-card');
    assert.deepEqual(await page.$$eval('.link-card h3', (els) => els.map((e) => e.textContent)), [GOOD_TITLE]);

    // The viewer opens the good copy; the newest version is listed as the error page it is.
    await page.click('.link-card h3 a');
    await page.waitForSelector('.versions .version');
    await page.waitForFunction(() => document.querySelector('img.screenshot')?.getAttribute('src'));
    assert.equal(
      await page.$eval('img.screenshot', (el) => el.getAttribute('src')),
      `/v1/snapshots/${good.id}/artifacts/screenshot`,
    );
    const versions = await page.$$eval('.versions .version', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(versions.length, 3);
    assert.match(versions[0] as string, /error page \(HTTP 500\)/);
    assert.match(versions[1] as string, /failed/);
    assert.equal(await page.$('.error-capture'), null, 'the good copy is not marked as an error page');
    await page.click('.versions li:first-child .version');
    await page.waitForSelector('.error-capture');

    // 中文
    await page.click('[data-testid="lang-switch"]');
    await page.waitForFunction(() => document.querySelector('nav')?.textContent?.includes('添加链接'));
    await page.click('nav a[href="/links"]');
    await page.waitForFunction(() => document.querySelector('.link-card .badge')?.textContent?.includes('上次抓取'));
    assert.match(await badge(), /^上次抓取得到错误页面（HTTP 500），显示 .+ 的副本$/);
  });
});
