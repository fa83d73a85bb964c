/**
 * Ad and tracker blocking: one Ghostery filter engine per process, parsed once at start from
 * the lists committed under `filters/` (EasyList, EasyPrivacy; `scripts/update-filter-lists.mjs`
 * refreshes them when a developer runs it), never fetched at run time. Each capture turns it on
 * for its page: a blocked request is refused inside Chromium, so it never reaches the egress
 * proxy. Network filters only: cosmetic filtering would inject styles and scripts into every
 * frame of every capture, and the archive keeps what the page really had.
 */
import { readFile } from 'node:fs/promises';
import { PuppeteerBlocker } from '@ghostery/adblocker-puppeteer';
import type { Page } from 'puppeteer-core';

/** The bundled lists, in `services/snapshotter/filters/`. */
export const FILTER_LISTS = ['easylist.txt', 'easyprivacy.txt'] as const;
const FILTERS_DIR = new URL('../../filters/', import.meta.url);
/** How Chromium's error text for a request refused by the blocker starts (`.Inspector` may follow). */
export const BLOCKED_BY_CLIENT = 'net::ERR_BLOCKED_BY_CLIENT';

export interface AdBlocker {
  /** Network filters loaded (bundled lists and extra rules). */
  readonly filters: number;
  readonly loadMs: number;
  /** Turns blocking on for one page; the returned function turns it off again. */
  enable(page: Page): Promise<() => Promise<void>>;
}

export interface AdBlockerOptions {
  /** Extra rules (config ADBLOCK_EXTRA_FILTERS), whitespace-separated. */
  extraFilters?: string;
  /** Other list files (tests use a missing one); defaults to the bundled lists. */
  lists?: readonly string[];
}

/** Parses the lists; throws when one cannot be read (the caller then captures without blocking). */
export async function loadAdBlocker(options: AdBlockerOptions = {}): Promise<AdBlocker> {
  const t0 = performance.now();
  const lists = await Promise.all(
    (options.lists ?? FILTER_LISTS).map((name) => readFile(new URL(name, FILTERS_DIR), 'utf8')),
  );
  const extra = (options.extraFilters ?? '').split(/\s+/).filter(Boolean).join('\n');
  const engine = PuppeteerBlocker.parse([...lists, extra].join('\n'), {
    loadCosmeticFilters: false,
    loadNetworkFilters: true,
    enableCompression: false,
  });
  const filters = engine.getFilters().networkFilters.length;
  const loadMs = Math.round(performance.now() - t0);
  return {
    filters,
    loadMs,
    async enable(page) {
      // The wrapper is typed against full `puppeteer`; puppeteer-core's Page is the same class.
      const target = page as unknown as Parameters<PuppeteerBlocker['enableBlockingInPage']>[0];
      await engine.enableBlockingInPage(target);
      return async () => {
        if (page.isClosed()) return;
        await engine.disableBlockingInPage(target).catch(() => undefined);
      };
    },
  };
}
