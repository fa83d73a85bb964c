/**
 * The web UI in a real browser (Debian Chromium via puppeteer-core) against the real stack:
 * sign up, add links and watch their captures finish, filter, search, open the viewer,
 * switch to Chinese and delete. Screenshots of each screen go to docs/screenshots/ when they
 * are missing or UPDATE_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import {
  type FixtureServer,
  SIMPLE_PAGE_TEXT,
  SIMPLE_PAGE_TITLE,
  simplePage,
  startFixtureServer,
} from '../support/fixture-server.js';
import { tempDir } from '../support/services.js';
import { Stack } from '../support/stack.js';

const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const SECOND_TITLE = 'Fixture: zebra crossing field notes';
const DESKTOP = { width: 1280, height: 800 };
// Width only: changing isMobile/hasTouch would make puppeteer reload the page.
const PHONE = { width: 375, height: 812 };

/** Saves `name` at desktop and phone width, only when missing or when asked to refresh. */
async function shoot(page: Page, name: string): Promise<void> {
  const refresh = process.env.UPDATE_SCREENSHOTS === '1';
  const files = {
    desktop: path.join(SCREENSHOTS, `${name}-desktop.png`),
    phone: path.join(SCREENSHOTS, `${name}-phone.png`),
  };
  if (!refresh && existsSync(files.desktop) && existsSync(files.phone)) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewport(DESKTOP);
  await new Promise((r) => setTimeout(r, 150));
  await page.screenshot({ path: files.desktop as `${string}.png` });
  await page.setViewport(PHONE);
  await new Promise((r) => setTimeout(r, 250));
  await page.screenshot({ path: files.phone as `${string}.png` });
  await page.setViewport(DESKTOP);
}

const cards = (page: Page) => page.$$eval('.link-card', (els) => els.map((el) => el.querySelector('h3')?.textContent));

describe('web UI in Chromium', () => {
  let fixture: FixtureServer;
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  before(async () => {
    fixture = await startFixtureServer();
    fixture.route('/second', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(simplePage(SECOND_TITLE, 'Zebras cross the road in single file'));
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
    await page.setViewport(DESKTOP);
    page.setDefaultTimeout(30_000);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await fixture?.close();
  });

  it('signs up, captures, filters, searches, views, switches language and deletes', async () => {
    const started = Date.now();
    const fail = (err: Error) => {
      throw new Error(`${err.message}\n${stack.logs()}`);
    };
    const res = await page.goto(stack.baseUrl, { waitUntil: 'networkidle0' });
    assert.equal(res?.status(), 200);
    assert.equal(res?.headers()['cache-control'], 'no-cache');

    // Sign up through the form: the session is an httpOnly cookie, invisible to script.
    await page.waitForSelector('#auth-email');
    await shoot(page, 'sign-in');
    await page.waitForSelector('.auth .button-link'); // shown once GET /v1/auth/signup says open
    await page.click('.auth .button-link');
    await page.type('#auth-email', `ui-${crypto.randomUUID()}@example.test`);
    await page.type('#auth-password', 'correct horse battery');
    await page.click('.auth button[type="submit"]');
    await page.waitForSelector('#add-urls');
    const cookies = await browser.cookies();
    const session = cookies.find((c) => c.name === 'linksnap_session');
    assert.ok(session?.httpOnly, 'session cookie is httpOnly');
    assert.equal(session?.sameSite, 'Lax');
    assert.equal(await page.evaluate(() => document.cookie.includes('linksnap_session')), false);

    // 添加链接: the first link goes through its stages to done and shows its image.
    await page.type('#add-urls', fixture.url('/simple'));
    await page.click('form.form button[type="submit"]');
    const stages = new Set<string>();
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const state = await page.$eval('.submission', (el) => ({
        state: el.getAttribute('data-state'),
        stage: el.querySelector('.stage')?.getAttribute('data-stage') ?? null,
      }));
      if (state.stage) stages.add(state.stage);
      if (state.state === 'succeeded' || state.state === 'failed' || state.state === 'partial') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const first = await page.$eval('.submission', (el) => el.getAttribute('data-state'));
    if (first !== 'succeeded') fail(new Error(`first link ended ${first} (stages ${[...stages].join(' → ')})`));
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.submission img');
      return Boolean(img?.complete && img.naturalWidth > 0);
    });
    console.log(`[ui] first capture done at ${Date.now() - started} ms; stages seen: ${[...stages].join(' → ')}`);

    // A second link with a new tag chosen in the tag input.
    await page.type('#add-urls', fixture.url('/second'));
    await page.type('.tag-input input', 'zebra-notes');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('.tag-input .chip')?.textContent?.includes('zebra-notes'));
    await page.click('form.form button[type="submit"]');
    await page
      .waitForFunction(() => document.querySelectorAll('.submission[data-state="succeeded"]').length === 2, {
        timeout: 90_000,
      })
      .catch(fail);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.submission img')].every(
        (i) => i.complete && i.naturalWidth > 0,
      ),
    );

    // Refusals in plain words: a private address, and a link that is already saved.
    await page.type('#add-urls', `${fixture.url('/simple')}\nhttp://10.0.0.1/`);
    await page.click('form.form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('.submission[data-state="error"]').length === 2);
    const errors = await page.$$eval('.submission[data-state="error"] .field-error', (els) =>
      els.map((el) => ({ text: el.textContent ?? '', href: el.querySelector('a')?.getAttribute('href') ?? null })),
    );
    const duplicate = errors.find((e) => e.text.includes('already saved'));
    assert.ok(duplicate?.href?.startsWith('/links/'), JSON.stringify(errors));
    assert.ok(
      errors.some((e) => e.text.includes('private network')),
      JSON.stringify(errors),
    );
    assert.ok(!errors.some((e) => /[A-Z]+_[A-Z]+/.test(e.text)), 'no raw error codes');
    await shoot(page, 'add-link');

    // link管理: both links, then only the tagged one, then search.
    await page.click('nav a[href="/links"]');
    await page.waitForFunction(() => document.querySelectorAll('.link-card').length === 2);
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.link-card img')].every((i) => i.complete && i.naturalWidth > 0),
    );
    const alts = await page.$$eval('.link-card img', (imgs) => imgs.map((i) => i.getAttribute('alt')));
    assert.ok(
      alts.every((alt) => alt && alt.length > 0),
      'thumbnails have alt text',
    );
    await shoot(page, 'links');
    const tagButton = await page.waitForSelector('::-p-xpath(//aside//button[.//span[text()="zebra-notes"]])');
    await tagButton?.click();
    await page.waitForFunction(() => document.querySelectorAll('.link-card').length === 1);
    assert.deepEqual(await cards(page), [SECOND_TITLE]);
    await page.click('aside .tag-toggle'); // "All links"
    await page.waitForFunction(() => document.querySelectorAll('.link-card').length === 2);

    await page.type('#links-q', 'simple');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.link-card').length === 1);
    assert.deepEqual(await cards(page), [SIMPLE_PAGE_TITLE]);

    // Snapshot viewer: the screenshot renders, the archived page is a sandboxed iframe.
    await page.click('.link-card h3 a');
    await page.waitForSelector('#viewer-title');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img.screenshot');
      return Boolean(img?.complete && img.naturalWidth > 0);
    });
    await shoot(page, 'viewer');
    await page.click('#tab-pdf');
    await page.waitForSelector('embed.pdf');
    await page.click('#tab-archive');
    const frame = await page.waitForSelector('iframe.archive-frame');
    assert.equal(await frame?.evaluate((el) => el.getAttribute('sandbox')), '');
    // The archived page really renders inside the frame (framing is allowed for the app only).
    const archived = await frame?.contentFrame();
    assert.ok(archived, 'the archive iframe has a document');
    await archived.waitForFunction(
      (text: string) => document.body?.innerText.includes(text) ?? false,
      { timeout: 15_000 },
      SIMPLE_PAGE_TEXT,
    );
    await page.click('#tab-report');
    await page.waitForSelector('.facts');

    // Capture again: a second version appears in the list when it is done.
    await page.click('.viewer .button-primary');
    await page
      .waitForFunction(() => document.querySelectorAll('.versions .version').length === 2, { timeout: 90_000 })
      .catch(fail);

    // 中文: the two screens by their original names.
    await page.click('[data-testid="lang-switch"]');
    await page.waitForFunction(() => document.querySelector('nav')?.textContent?.includes('添加链接'));
    const navText = await page.$eval('nav', (el) => el.textContent ?? '');
    assert.ok(navText.includes('添加链接') && navText.includes('link管理'), navText);
    assert.equal(await page.evaluate(() => localStorage.getItem('linksnap.lang')), 'zh');

    // Tags and import screens render (in Chinese now).
    await page.click('nav a[href="/tags"]');
    await page.waitForSelector('.tag-row');
    await shoot(page, 'tags');
    await page.click('nav a[href="/import"]');
    await page.waitForSelector('#import-file');
    // A bookmark file holding an already saved link: imported as a duplicate, no new capture.
    const bookmarks = path.join(tempDir('linksnap-ui-'), 'bookmarks.html');
    writeFileSync(
      bookmarks,
      `<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p><DT><A HREF="${fixture.url('/simple')}">Simple</A></DL>`,
    );
    const input = await page.$('#import-file');
    await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(bookmarks);
    await page.click('form.form button[type="submit"]');
    await page.waitForSelector('.success, .field-error');
    console.log(`[ui] import: ${await page.$eval('.success, .field-error', (el) => el.textContent)}`);
    await shoot(page, 'import');

    // Delete one link from link管理 with the confirmation dialog.
    await page.click('nav a[href="/links"]');
    await page.waitForFunction(() => document.querySelectorAll('.link-card').length === 2);
    await page.click('.link-card input[type="checkbox"]');
    await page.click('.bulk .button-danger');
    await page.waitForSelector('dialog[open] [data-confirm]');
    await page.click('dialog[open] [data-confirm]');
    await page.waitForFunction(() => document.querySelectorAll('.link-card').length === 1);
    console.log(`[ui] whole journey in ${Date.now() - started} ms`);
  });
});
