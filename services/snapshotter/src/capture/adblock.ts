/**
 * Ad and tracker blocking: one Ghostery filter engine per process, parsed once at start from
 * the lists committed under `filters/` (EasyList, EasyPrivacy; `scripts/update-filter-lists.mjs`
 * refreshes them when a developer runs it), never fetched at run time. Parsing the lists takes
 * 0.4–1.1 s and leaves ~120 MB of resident memory behind; the parsed engine is therefore kept
 * serialised (4 MB) in DATA_DIR, keyed by the lists' digest, and later starts read it back in
 * ~35 ms. Each capture turns it on
 * for its page: a blocked request is refused inside Chromium, so it never reaches the egress
 * proxy. Network filters only: cosmetic filtering would inject styles and scripts into every
 * frame of every capture, and the archive keeps what the page really had.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  /** Where the engine came from: parsed from the lists, or read back from DATA_DIR. */
  readonly source: 'lists' | 'cache';
  /** Turns blocking on for one page; the returned function turns it off again. */
  enable(page: Page): Promise<() => Promise<void>>;
}

export interface AdBlockerOptions {
  /** Extra rules (config ADBLOCK_EXTRA_FILTERS), whitespace-separated. */
  extraFilters?: string;
  /** Other list files (tests use a missing one); defaults to the bundled lists. */
  lists?: readonly string[];
  /** Keeps the serialised engine here (DATA_DIR); without it the lists are parsed every start. */
  cacheDir?: string;
}

/** The engine from its cached serialisation, else parsed from the lists (and then cached). */
async function engineFor(
  text: string,
  cacheDir: string | undefined,
): Promise<{ engine: PuppeteerBlocker; source: AdBlocker['source'] }> {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const file = cacheDir ? path.join(cacheDir, `adblock-engine-${digest}.bin`) : null;
  if (file) {
    try {
      // Throws on a serialisation from another library version: parse afresh then.
      return { engine: PuppeteerBlocker.deserialize(new Uint8Array(await readFile(file))), source: 'cache' };
    } catch {
      // Absent or stale.
    }
  }
  const engine = PuppeteerBlocker.parse(text, {
    loadCosmeticFilters: false,
    loadNetworkFilters: true,
    enableCompression: false,
  });
  if (file && cacheDir) {
    // Written aside and renamed: snapshotters sharing DATA_DIR never read half a file.
    const partial = `${file}.${randomUUID()}.tmp`;
    await mkdir(cacheDir, { recursive: true })
      .then(() => writeFile(partial, engine.serialize()))
      .then(() => rename(partial, file))
      .catch(() => rm(partial, { force: true }));
  }
  return { engine, source: 'lists' };
}

/** Parses the lists; throws when one cannot be read (the caller then captures without blocking). */
export async function loadAdBlocker(options: AdBlockerOptions = {}): Promise<AdBlocker> {
  const t0 = performance.now();
  const lists = await Promise.all(
    (options.lists ?? FILTER_LISTS).map((name) => readFile(new URL(name, FILTERS_DIR), 'utf8')),
  );
  const extra = (options.extraFilters ?? '').split(/\s+/).filter(Boolean).join('\n');
  const { engine, source } = await engineFor([...lists, extra].join('\n'), options.cacheDir);
  const filters = engine.getFilters().networkFilters.length;
  const loadMs = Math.round(performance.now() - t0);
  return {
    filters,
    loadMs,
    source,
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
