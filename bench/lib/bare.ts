/**
 * The bare baseline: plain puppeteer-core on the same Chromium, no queue, no storage, no
 * egress guard. goto(waitUntil 'load', 30 s) then full-page PNG, PDF, MHTML (CDP
 * Page.captureSnapshot) and page.content() to local temp files: the naive loop.
 * `--host-resolver-rules` makes every external name fail locally, like the platform's guard.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import puppeteer, { type Browser } from 'puppeteer-core';
import { onCleanup } from './util.js';

export const BARE_STEP_TIMEOUT_MS = 30_000;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface BareBrowser {
  browser: Browser;
  dir: string;
  capture(url: string, tag: string): Promise<BareCapture>;
  close(): Promise<void>;
}

export interface BareCapture {
  ok: boolean;
  ms: number;
  timings: Record<string, number>;
  error?: string;
}

export async function launchBare(): Promise<BareBrowser> {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Bounds every CDP call (screenshot, print…) like goto: a step over 30 s fails the page
    // (unbounded, a full-page PNG of a very tall page takes minutes).
    protocolTimeout: BARE_STEP_TIMEOUT_MS,
    defaultViewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'linksnap-bare-'));
  const pid = browser.process()?.pid;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await browser.close().catch(() => {
      if (pid) process.kill(pid, 'SIGKILL');
    });
    rmSync(dir, { recursive: true, force: true });
  };
  onCleanup(close);
  process.on('exit', () => {
    if (!closed && pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
  });
  return {
    browser,
    dir,
    close,
    async capture(url, tag) {
      const t0 = performance.now();
      const timings: Record<string, number> = {};
      const step = async <T>(key: string, work: () => Promise<T>) => {
        const s = performance.now();
        try {
          return await work();
        } finally {
          timings[key] = Math.round(performance.now() - s);
        }
      };
      let page: Awaited<ReturnType<Browser['newPage']>> | undefined;
      try {
        page = await browser.newPage();
        const open = page;
        await step('navigate', () => open.goto(url, { waitUntil: 'load', timeout: BARE_STEP_TIMEOUT_MS }));
        const png = await step('screenshot', () => open.screenshot({ type: 'png', fullPage: true }));
        writeFileSync(path.join(dir, `${tag}.png`), png);
        const pdf = await step('pdf', () => open.pdf({ format: 'A4', printBackground: true }));
        writeFileSync(path.join(dir, `${tag}.pdf`), pdf);
        const mhtml = await step('mhtml', async () => {
          const session = await open.createCDPSession();
          const { data } = await session.send('Page.captureSnapshot', { format: 'mhtml' });
          await session.detach();
          return data;
        });
        writeFileSync(path.join(dir, `${tag}.mhtml`), mhtml);
        const html = await step('html', () => open.content());
        writeFileSync(path.join(dir, `${tag}.html`), html);
        const bytes = png.length + pdf.length + Buffer.byteLength(mhtml) + Buffer.byteLength(html);
        return { ok: true, ms: performance.now() - t0, timings, bytes };
      } catch (err) {
        return { ok: false, ms: performance.now() - t0, timings, error: (err as Error).message.split('\n')[0] };
      } finally {
        await page?.close().catch(() => undefined);
      }
    },
  };
}

/** A simple pool: `concurrency` loops pulling the next URL. */
export async function runPool<T>(
  items: T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}
