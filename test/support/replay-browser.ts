/**
 * Opens a snapshot's replay player in real Chromium and reads the replayed page, counting
 * every request the browser makes: the pages' and frames' own (puppeteer's request events)
 * and those of service workers (a CDP session on each worker target, attached as it starts).
 */
import type { Browser, Frame, Page } from 'puppeteer-core';
import { XHR_TEXT } from './rich-fixture.js';

export interface ReplayedPage {
  page: Page;
  frame: Frame;
  /** Every URL requested while the replay was open. */
  requests: string[];
}

/** Starts recording requests of every service worker the browser runs from now on. */
export function recordWorkerRequests(browser: Browser, requests: string[]): void {
  browser.on('targetcreated', async (target) => {
    if (target.type() !== 'service_worker') return;
    const session = await target.createCDPSession();
    session.on('Network.requestWillBeSent', (event) => requests.push(event.request.url));
    await session.send('Network.enable');
  });
}

/** A frame's text, shadow roots included, and whether a service worker controls it. */
const DEEP_TEXT = `(() => {
  const deep = (root) => [...root.querySelectorAll('*')]
    .map((el) => (el.shadowRoot ? ' [' + el.localName + '] ' + deep(el.shadowRoot) : ''))
    .join('') + ' ' + (root.body ? root.body.textContent : root.textContent);
  return deep(document) + ' controller=' + Boolean(navigator.serviceWorker && navigator.serviceWorker.controller);
})()`;

/** What the page and its frames printed or threw: ReplayWeb.page reports load failures there. */
const consoleLines = new WeakMap<Page, string[]>();
function recordConsole(page: Page): void {
  const lines: string[] = [];
  consoleLines.set(page, lines);
  page.on('console', (msg) => lines.push(`console.${msg.type()}: ${msg.text()}`.slice(0, 300)));
  page.on('pageerror', (err) => lines.push(`pageerror: ${String(err)}`.slice(0, 300)));
  page.on('requestfailed', (req) => lines.push(`failed: ${req.url().slice(0, 160)} ${req.failure()?.errorText}`));
  const t0 = Date.now();
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (type === 'document' || res.fromServiceWorker() === false)
      lines.push(
        `+${Date.now() - t0}ms ${type} ${res.status()} sw=${res.fromServiceWorker()} ${res.url().slice(0, 140)}`,
      );
  });
  void page
    .createCDPSession()
    .then(async (cdp) => {
      cdp.on('ServiceWorker.workerVersionUpdated', (e) => {
        for (const v of e.versions)
          lines.push(
            `+${Date.now() - t0}ms sw v${v.versionId} ${v.status}/${v.runningStatus} ${v.scriptURL.replace(/^.*\/replay\//, '')} clients=${(v.controlledClients ?? []).length}`,
          );
      });
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        for (const r of e.registrations)
          lines.push(`+${Date.now() - t0}ms reg ${r.registrationId} deleted=${r.isDeleted}`);
      });
      await cdp.send('ServiceWorker.enable');
    })
    .catch(() => {});
}

/** The frame showing the archived page (ReplayWeb.page serves it under …/mp_/<original URL>). */
async function replayFrame(page: Page, originalUrl: string, timeoutMs: number): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const frame = page
      .frames()
      .find((f) => f !== page.mainFrame() && f.url().includes('mp_/') && f.url().endsWith(originalUrl));
    if (frame) return frame;
    await new Promise((r) => setTimeout(r, 200));
  }
  // What each frame shows (ReplayWeb.page puts its loading errors in the page text).
  const shown = await Promise.all(
    page.frames().map(async (f) => {
      // ReplayWeb.page shows its state and errors inside shadow roots: read those too. A string,
      // as a compiled function would carry esbuild's helpers into the page.
      const text = String(await f.evaluate(DEEP_TEXT).catch((err) => `(${err})`));
      return `${f.url().slice(0, 200)}: ${text.replace(/\s+/g, ' ').slice(0, 600)}`;
    }),
  );
  const printed = (consoleLines.get(page) ?? []).slice(-80);
  throw new Error(`no replay frame for ${originalUrl}; frames:\n${shown.join('\n')}\nconsole:\n${printed.join('\n')}`);
}

/**
 * A replay that shows no page is opened once more, as a person would reload, and the first
 * failure is printed. Known: under a loaded full suite, ReplayWeb.page 2.5.3 now and then leaves
 * the player blank or resolves a page opened alone against the archived site (issue 14's note);
 * two failures in a row still fail the test.
 */
async function retriedOnce<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    console.log(`[replay] first attempt showed no replayed page, opening again: ${String(err)}`);
    return open();
  }
}

/**
 * Opens a replayed page's own URL as a top-level document (a new tab), where the service worker
 * sends it to a player: the page the browser ends on, and the frame the archived page shows in.
 */
export async function openReplayedPageAlone(
  browser: Browser,
  frameUrl: string,
  originalUrl: string,
  requests: string[],
  timeoutMs = 60_000,
): Promise<ReplayedPage> {
  const attempt = async () => {
    const page = await browser.newPage();
    recordConsole(page);
    page.on('request', (request) => requests.push(request.url()));
    try {
      // The service worker answers with a redirect to the player app: wait for that document only.
      await page.goto(frameUrl, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
      const deadline = Date.now() + timeoutMs;
      while (page.url() === frameUrl && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      return { page, frame: await replayFrame(page, originalUrl, Math.max(1_000, deadline - Date.now())) };
    } catch (err) {
      console.log(`[replay] alone-open failed; page log:\n${(consoleLines.get(page) ?? []).slice(-80).join('\n')}`);
      await page.close();
      throw err;
    }
  };
  const { page, frame } = await retriedOnce(attempt);
  await frame.waitForFunction(
    (text) => document.getElementById('xhr-para')?.textContent === text,
    { timeout: timeoutMs },
    XHR_TEXT,
  );
  return { page, frame, requests };
}

/** A page of the web UI with a cookie session of the user (password of the test helpers). */
export async function signedInPage(browser: Browser, appUrl: string, email: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${appUrl}/`);
  const status = await page.evaluate(async (user) => {
    const res = await fetch('/v1/auth/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: user, password: 'correct horse battery' }),
    });
    return res.status;
  }, email);
  if (status !== 200) throw new Error(`session sign-in answered ${status}`);
  return page;
}

/** Opens `url` (the UI's replay view, or a player URL) in `page` and waits for the replayed page. */
export async function openReplay(
  page: Page,
  url: string,
  originalUrl: string,
  requests: string[],
  timeoutMs = 60_000,
): Promise<ReplayedPage> {
  recordConsole(page);
  page.on('request', (request) => requests.push(request.url()));
  const frame = await retriedOnce(async () => {
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    return replayFrame(page, originalUrl, timeoutMs);
  });
  await frame.waitForFunction(
    (text) => document.getElementById('xhr-para')?.textContent === text,
    {
      timeout: timeoutMs,
    },
    XHR_TEXT,
  );
  return { page, frame, requests };
}

/** What the replayed rich fixture page shows. */
export async function readRichPage(frame: Frame) {
  return frame.evaluate(async () => {
    const img = document.getElementById('pic') as HTMLImageElement;
    if (!img.complete) await new Promise((r) => img.addEventListener('load', r, { once: true }));
    await document.fonts.ready;
    return {
      imageWidth: img.naturalWidth,
      xhrText: document.getElementById('xhr-para')?.textContent,
      fontLoaded: [...document.fonts].some((f) => f.family.replace(/"/g, '') === 'Fixture' && f.status === 'loaded'),
      headingColor: getComputedStyle(document.querySelector('h1') as Element).color,
    };
  });
}

/** Requests whose origin is none of `origins` (data:, blob: and about: stay in the browser). */
export function leavingRequests(requests: string[], origins: string[]): string[] {
  return requests.filter((url) => {
    if (/^(data|blob|about|chrome|chrome-extension):/.test(url)) return false;
    return !origins.includes(new URL(url).origin);
  });
}

/** `<status> <body>` of a credentialed fetch from the calling document, or `error: …`. */
async function fetchWithCookies(url: string): Promise<string> {
  try {
    const res = await fetch(url, { credentials: 'include' });
    return `${res.status} ${await res.text()}`;
  } catch (err) {
    return `error: ${String(err)}`;
  }
}

/**
 * Tries to read the app's `/v1/links` with the user's cookies from the archive origin: as the
 * replayed page's own script would (`/v1/links` from the replay frame), and as script that got
 * past ReplayWeb.page's rewriting would (a raw fetch of the app's URL from a document of the
 * archive origin, CSP bypassed so only the same-origin policy stands in the way).
 */
export async function probeAppFromArchive(
  browser: Browser,
  frame: Frame,
  appUrl: string,
): Promise<{ asPageScript: string; raw: string; registration: string }> {
  const asPageScript = await frame.evaluate(fetchWithCookies, '/v1/links');
  const page = await browser.newPage();
  try {
    await page.setBypassCSP(true);
    // The bare player app registers a worker of its own choosing: wait for how that ended.
    const registration = new Promise<string>((resolve) => {
      setTimeout(() => resolve('(no registration outcome within 30 s)'), 30_000).unref();
      page.on('console', (msg) => {
        if (/service worker (is registered|registration)/i.test(msg.text())) resolve(msg.text().slice(0, 200));
      });
    });
    await page.goto(`${new URL(frame.url()).origin}/replay/`);
    const raw = await page.evaluate(fetchWithCookies, `${appUrl}/v1/links`);
    return { asPageScript, raw, registration: await registration };
  } finally {
    await page.close();
  }
}
