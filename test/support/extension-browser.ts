/**
 * Chromium with the built LinkSnap extension loaded unpacked (apps/extension/dist/chromium),
 * in new headless mode, as a user's browser would have it; and the extension's popup opened
 * as a tab acting on a chosen tab (`popup.html?tab=<id>`).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '@linksnap/snapshotter/browser-pool';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXTENSION_DIR = path.join(root, 'apps/extension/dist/chromium');

export async function launchWithExtension(lang = 'en-US'): Promise<{ browser: Browser; extensionId: string }> {
  if (!existsSync(path.join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`the extension is not built (${EXTENSION_DIR}): npm test's bootstrap builds it`);
  }
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    pipe: true,
    enableExtensions: [EXTENSION_DIR],
    args: [...CHROMIUM_ARGS.filter((a) => !a.startsWith('--disable-extensions')), `--lang=${lang}`],
    env: { ...process.env, LANGUAGE: lang.replace('-', '_') },
  });
  const worker = await browser.waitForTarget(
    (t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'),
    { timeout: 30_000 },
  );
  const extensionId = new URL(worker.url()).host;
  return { browser, extensionId };
}

/** The popup, opened as a tab, acting on the tab that shows `url`. */
export async function openPopup(browser: Browser, extensionId: string, url: string): Promise<Page> {
  const popup = await browser.newPage();
  await popup.setViewport({ width: 380, height: 520 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const tabId = await popup.evaluate(async (wanted) => {
    type Tabs = { tabs: { query(q: object): Promise<{ id?: number; url?: string }[]> } };
    const tabs = await (globalThis as unknown as { chrome: Tabs }).chrome.tabs.query({});
    return tabs.find((tab) => tab.url === wanted)?.id ?? null;
  }, url);
  if (tabId === null) throw new Error(`no tab shows ${url}`);
  await popup.goto(`chrome-extension://${extensionId}/popup.html?tab=${tabId}`);
  return popup;
}
