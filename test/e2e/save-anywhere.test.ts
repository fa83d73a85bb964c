/**
 * Uploaded captures ("save the page as I see it") against the real stack: a members-only page
 * whose article the platform can never fetch is saved from a browser that holds the cookie,
 * rendered with every request refused, and searchable by its article; the server-side capture
 * of the same URL shows the wall. Hostile uploads reach nobody (a loopback canary counts
 * connections), and bad uploads are refused with problem+json, storing nothing.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser } from 'puppeteer-core';
import { launchWithExtension, openPopup } from '../support/extension-browser.js';
import { type FixtureServer, simplePage, startFixtureServer } from '../support/fixture-server.js';
import { ARTICLE_TEXT, MEMBER_COOKIE, membersOnlyPage, WALL_TEXT } from '../support/members-fixture.js';
import { Stack } from '../support/stack.js';

const UPLOAD_MAX_BYTES = 256 * 1024;

/** A loopback listener outside the egress allow-list: any connection to it is a leak. */
async function startCanary(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, connections: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

/** What a page that tries every way out looks like once saved: none of these may connect. */
function hostilePage(canary: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Hostile upload</title>
<meta http-equiv="refresh" content="1;url=${canary}/refresh">
<link rel="stylesheet" href="${canary}/style.css"><link rel="prefetch" href="${canary}/prefetch">
<link rel="preconnect" href="${canary}"><link rel="icon" href="${canary}/favicon.ico">
<script>fetch('${canary}/fetch'); new WebSocket('${canary.replace('http', 'ws')}/ws');</script>
<style>body { background: url(${canary}/bg.png) }</style></head>
<body><article><h1>Hostile upload</h1><p>${body}</p>
<img src="${canary}/img.png"><img src="http://10.0.0.1/private.png"><img src="http://169.254.169.254/latest/meta-data">
<iframe src="file:///etc/passwd"></iframe><iframe src="chrome://version"></iframe><iframe src="${canary}/frame"></iframe>
<video src="${canary}/video.mp4" autoplay></video><object data="${canary}/object"></object>
<form action="${canary}/form" method="post"><input name="a"></form>
<a href="${canary}/link" ping="${canary}/ping">link</a></article></body></html>`;
}

async function upload(stack: Stack, token: string, fields: { url?: string; tags?: string[]; page?: Blob }) {
  const form = new FormData();
  if (fields.url !== undefined) form.set('url', fields.url);
  for (const tag of fields.tags ?? []) form.append('tags', tag);
  if (fields.page) form.set('page', fields.page, 'page.html');
  const res = await fetch(`${stack.baseUrl}/v1/links`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: JSON.parse(text) };
}

const html = (text: string) => new Blob([text], { type: 'text/html' });

describe('save from anywhere: uploaded captures, the extension, the bookmarklet, the share target', () => {
  let fixture: FixtureServer;
  let stack: Stack;
  let browser: Browser;
  let canary: Awaited<ReturnType<typeof startCanary>>;

  before(async () => {
    [fixture, canary] = await Promise.all([startFixtureServer(), startCanary()]);
    fixture.route('/members/article', membersOnlyPage);
    fixture.route('/extension-plain', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(simplePage('Fixture: saved with the extension’s Save link'));
    });
    [stack, browser] = await Promise.all([
      Stack.start({ allow: [fixture.hostPort], env: { UPLOAD_MAX_BYTES: String(UPLOAD_MAX_BYTES) } }),
      puppeteer.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
      }),
    ]);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
    await Promise.all([fixture?.close(), canary?.close()]);
  });

  it('keeps the article a member sees, which the server-side capture of the same URL cannot', async () => {
    const url = fixture.url('/members/article');
    // The page as the member's browser has it (the extension sends the same, serialised by SingleFile).
    const page = await browser.newPage();
    await page.setCookie({ name: MEMBER_COOKIE.name, value: MEMBER_COOKIE.value, url });
    await page.goto(url);
    const seen = await page.content();
    await page.close();
    assert.match(seen, new RegExp(ARTICLE_TEXT));

    const member = await stack.user();
    const res = await upload(stack, member.token, { url, tags: ['paywalled'], page: html(seen) });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const { job } = await stack.waitForJob(res.body.snapshot.id, member.token, 90_000);
    assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
    const snapshot = (await stack.request('GET', `/v1/snapshots/${job.id}`, { token: member.token })).body;
    assert.equal(snapshot.source, 'upload');
    const kinds = snapshot.artifacts.map((a: { kind: string }) => a.kind);
    for (const kind of ['upload', 'screenshot', 'thumbnail', 'pdf', 'mhtml', 'text', 'readable', 'metadata']) {
      assert.ok(kinds.includes(kind), `artifact ${kind} in ${kinds.join(', ')}`);
    }
    const text = await stack.download(`/v1/snapshots/${job.id}/artifacts/text`, member.token);
    assert.match(text.bytes.toString('utf8'), new RegExp(ARTICLE_TEXT));
    const original = await stack.download(`/v1/snapshots/${job.id}/artifacts/upload`, member.token);
    assert.equal(original.bytes.toString('utf8'), seen);
    assert.match(original.headers.get('content-security-policy') ?? '', /sandbox/);
    const found = await stack.request('GET', `/v1/links?q=${encodeURIComponent('lighthouse keepers')}`, {
      token: member.token,
    });
    assert.deepEqual(
      found.body.items.map((l: { id: string }) => l.id),
      [res.body.link.id],
    );

    // The platform has no cookie: its own capture of the URL gets the wall.
    const other = await stack.user();
    const server = await stack.waitForJob(await stack.submit(other.token, url), other.token, 90_000);
    assert.equal(server.job.state, 'succeeded');
    const serverSnapshot = (await stack.request('GET', `/v1/snapshots/${server.job.id}`, { token: other.token })).body;
    assert.equal(serverSnapshot.source, 'capture');
    const wall = await stack.download(`/v1/snapshots/${server.job.id}/artifacts/text`, other.token);
    assert.match(wall.bytes.toString('utf8'), new RegExp(WALL_TEXT));
    assert.doesNotMatch(wall.bytes.toString('utf8'), new RegExp(ARTICLE_TEXT));
  });

  it('renders a hostile upload without a single connection leaving the browser', async () => {
    const { token } = await stack.user();
    const canaryOrigin = `http://127.0.0.1:${canary.port}`;
    const before = canary.connections();
    const hits = fixture.hits.get('/members/article') ?? 0;
    const res = await upload(stack, token, {
      url: fixture.url('/members/article'),
      page: html(hostilePage(canaryOrigin, 'Nothing in here may call out')),
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const { job } = await stack.waitForJob(res.body.snapshot.id, token, 90_000);
    assert.ok(job.state === 'succeeded' || job.state === 'partial', JSON.stringify(job.error));
    const text = await stack.download(`/v1/snapshots/${job.id}/artifacts/text`, token);
    assert.match(text.bytes.toString('utf8'), /Nothing in here may call out/);
    // Give a late request (meta refresh after 1 s, a ping) time to show up.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(canary.connections(), before, 'connections to the canary');
    // Not even the link's own (allow-listed) URL is fetched: the upload stands in for it.
    assert.equal(fixture.hits.get('/members/article') ?? 0, hits);
  });

  it('refuses bad uploads with problem+json and stores nothing', async () => {
    const { token } = await stack.user();
    const url = fixture.url('/members/article');
    const objectsBefore = (await stack.storage.list('snapshots/')).length;
    const png = new Blob([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')], { type: 'text/html' });
    const cases = [
      { name: 'not HTML (sniffed, whatever the part claims)', fields: { url, page: png }, status: 400 },
      { name: 'no url', fields: { page: html('<!doctype html><p>x') }, status: 400 },
      { name: 'no page', fields: { url }, status: 400 },
      {
        name: 'over the limit',
        fields: { url, page: html(`<!doctype html>${'x'.repeat(UPLOAD_MAX_BYTES + 10)}`) },
        status: 413,
      },
      {
        name: 'a URL the egress guard refuses',
        fields: { url: `http://127.0.0.1:${canary.port}/`, page: html('<!doctype html><p>x') },
        status: 400,
      },
    ];
    for (const c of cases) {
      const res = await upload(stack, token, c.fields);
      assert.equal(res.status, c.status, `${c.name}: ${JSON.stringify(res.body)}`);
      assert.match(res.contentType, /application\/problem\+json/, c.name);
      assert.equal(res.body.status, c.status, c.name);
    }
    const links = await stack.request('GET', '/v1/links', { token });
    assert.deepEqual(links.body.items, []);
    assert.equal((await stack.storage.list('snapshots/')).length, objectsBefore, 'objects stored');
  });

  it('the extension, signed in with an API key, saves a members-only page as the member sees it, and a link', async () => {
    const { token } = await stack.user();
    await stack.request('POST', '/v1/tags', { token, json: { name: 'paywalled' } });
    const key = await stack.request('POST', '/v1/api-keys', { token, json: { name: 'browser extension' } });
    assert.equal(key.status, 201);
    const url = fixture.url('/members/article');
    const { browser: userBrowser, extensionId } = await launchWithExtension();
    try {
      const tab = await userBrowser.newPage();
      await tab.setCookie({ name: MEMBER_COOKIE.name, value: MEMBER_COOKIE.value, url });
      await tab.goto(url);
      const hitsAfterView = fixture.hits.get('/members/article') ?? 0;
      const connections = canary.connections();

      const popup = await openPopup(userBrowser, extensionId, url);
      await popup.waitForSelector('#signin:not([hidden])');
      await popup.type('#instance', stack.baseUrl);
      await popup.type('#apikey', key.body.key);
      await popup.click('#signin button[type=submit]');
      await popup.waitForSelector('#main:not([hidden]) #tag-list input[value="paywalled"]');
      await popup.click('#tag-list input[value="paywalled"]');
      await popup.click('#save-page');
      await popup.waitForFunction(
        () => !(document.getElementById('done') as HTMLElement).hidden || document.getElementById('error')?.textContent,
        { timeout: 90_000 },
      );
      assert.equal(await popup.$eval('#error', (el) => el.textContent), '');
      const stage = await popup.$eval('#stage', (el) => el.textContent ?? '');
      assert.equal(stage, 'Saved.');
      const href = await popup.$eval('#done', (el) => (el as HTMLAnchorElement).href);
      const linkId = new URL(href).pathname.split('/').at(-1) ?? '';

      const link = (await stack.request('GET', `/v1/links/${linkId}`, { token })).body;
      assert.deepEqual(
        link.tags.map((t: { name: string }) => t.name),
        ['paywalled'],
      );
      const snapshotId = link.latestSnapshot.id;
      const snapshot = (await stack.request('GET', `/v1/snapshots/${snapshotId}`, { token })).body;
      assert.equal(snapshot.source, 'upload');
      assert.equal(snapshot.status, 'succeeded');
      const readable = await stack.download(`/v1/snapshots/${snapshotId}/artifacts/readable`, token);
      assert.match(readable.bytes.toString('utf8'), new RegExp(ARTICLE_TEXT));
      const uploaded = (await stack.download(`/v1/snapshots/${snapshotId}/artifacts/upload`, token)).bytes.toString();
      assert.match(uploaded, /SingleFile/, 'serialised by SingleFile');
      // The render reached nobody: not the canary, not even the page's own (allow-listed) server.
      assert.equal(canary.connections(), connections);
      assert.equal(fixture.hits.get('/members/article') ?? 0, hitsAfterView);

      // "Save link" on another tab: the server captures the URL itself.
      const plainUrl = fixture.url('/extension-plain');
      const plainTab = await userBrowser.newPage();
      await plainTab.goto(plainUrl);
      const linkPopup = await openPopup(userBrowser, extensionId, plainUrl);
      await linkPopup.waitForSelector('#main:not([hidden]) #tag-list input[value="paywalled"]');
      await linkPopup.click('#save-link');
      await linkPopup.waitForFunction(
        () => !(document.getElementById('done') as HTMLElement).hidden || document.getElementById('error')?.textContent,
        { timeout: 90_000 },
      );
      assert.equal(await linkPopup.$eval('#error', (el) => el.textContent), '');
      const savedHref = await linkPopup.$eval('#done', (el) => (el as HTMLAnchorElement).href);
      const savedLink = (
        await stack.request('GET', `/v1/links/${new URL(savedHref).pathname.split('/').at(-1)}`, { token })
      ).body;
      assert.equal(savedLink.url, plainUrl);
      const serverCopy = (await stack.request('GET', `/v1/snapshots/${savedLink.latestSnapshot.id}`, { token })).body;
      assert.equal(serverCopy.source, 'capture');
      assert.equal(serverCopy.status, 'succeeded');

      // A revoked key: the instance answers 401 and the popup says so.
      const keys = (await stack.request('GET', '/v1/api-keys', { token })).body.items;
      for (const k of keys) await stack.request('DELETE', `/v1/api-keys/${k.id}`, { token });
      await popup.reload();
      // The popup's tab is in the background by now: poll by time, since requestAnimationFrame
      // (puppeteer's default polling) does not run in a background tab.
      await popup.bringToFront();
      await popup.waitForFunction(() => (document.getElementById('error')?.textContent ?? '').includes('401'), {
        polling: 200,
      });
      const message = await popup.$eval('#error', (el) => el.textContent ?? '');
      assert.match(message, /refused the API key \(401\)/);
    } finally {
      await userBrowser.close();
    }
  });

  it('the bookmarklet and the installed app’s share target open 添加链接 with the URL filled in', async () => {
    const user = await stack.user();
    const page = await browser.newPage();
    try {
      page.setDefaultTimeout(30_000);
      await page.goto(stack.baseUrl, { waitUntil: 'networkidle0' });
      await page.waitForSelector('#auth-email');
      await page.type('#auth-email', user.email);
      await page.type('#auth-password', 'correct horse battery');
      await page.click('.auth button[type="submit"]');
      await page.waitForSelector('#add-urls');

      // Installable: manifest, icons and service worker pass Chromium's own check.
      await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
      const cdp = await page.createCDPSession();
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, []);
      const manifest = (await stack.request('GET', '/manifest.webmanifest')).body;
      assert.deepEqual(manifest.share_target, {
        action: '/add',
        method: 'GET',
        params: { title: 'title', text: 'text', url: 'url' },
      });

      // Android shares the link inside `text` (words around it), sometimes in `url`.
      const shared = fixture.url('/members/article');
      const share = `${stack.baseUrl}${manifest.share_target.action}?title=Gazette&text=${encodeURIComponent(`Read this: ${shared}`)}`;
      await page.goto(share, { waitUntil: 'networkidle0' });
      assert.equal(await page.$eval('#add-urls', (el) => (el as HTMLTextAreaElement).value), shared);

      // The bookmarklet, as the settings page offers it, clicked on another site's page.
      await page.goto(`${stack.baseUrl}/settings`, { waitUntil: 'networkidle0' });
      const code = await page.$eval('a.bookmarklet', (el) => el.getAttribute('href') ?? '');
      // The key the extension signs in with is made on the same page, shown once.
      await page.type('#key-name', 'laptop browser');
      await page.click('#key-name ~ button[type=submit]');
      await page.waitForSelector('.api-key-shown code');
      const made = await page.$eval('.api-key-shown code', (el) => el.textContent ?? '');
      const keys = await stack.request('GET', '/v1/tags', { token: made });
      assert.equal(keys.status, 200, 'the key shown signs in');
      assert.match(await page.$eval('.api-keys', (el) => el.textContent ?? ''), /laptop browser/);
      assert.match(code, /^javascript:/);
      const site = await browser.newPage();
      await site.goto(`${shared}?from=bookmarklet`);
      // The check can fail: a page without manifest or service worker is not installable.
      const siteCdp = await site.createCDPSession();
      assert.notDeepEqual((await siteCdp.send('Page.getInstallabilityErrors')).installabilityErrors, []);
      const opened = browser.waitForTarget((t) => t.url().startsWith(`${stack.baseUrl}/add?url=`));
      await site.evaluate(decodeURIComponent(code.slice('javascript:'.length)));
      const addPage = await (await opened).page();
      assert.ok(addPage);
      await addPage.waitForSelector('#add-urls');
      assert.equal(
        await addPage.$eval('#add-urls', (el) => (el as HTMLTextAreaElement).value),
        `${shared}?from=bookmarklet`,
      );
      await Promise.all([site.close(), addPage.close()]);
    } finally {
      await page.close();
    }
  });
});
