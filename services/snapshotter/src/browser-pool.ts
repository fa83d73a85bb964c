/**
 * The browser pool: one puppeteer-cluster over Debian's Chromium, forced through the egress
 * proxy. It owns every Chromium process this worker starts: puppeteer launches each browser
 * in its own process group, so closing (or, on a hard failure, killing) those groups is what
 * keeps a dying worker from leaving browsers behind.
 */
import type { Config, Logger } from '@linksnap/shared';
import { Cluster } from 'puppeteer-cluster';
import puppeteer, { type Browser, type LaunchOptions, type Page } from 'puppeteer-core';
import { toCaptureError } from './errors.js';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface BrowserPoolOptions {
  config: Pick<Config, 'CHROMIUM_PATH' | 'CAPTURE_CONCURRENCY' | 'CAPTURE_TIMEOUT_MS'>;
  /** Extra Chromium flags, e.g. the egress proxy's. */
  args: string[];
  /** `context` (default) isolates cookies and storage per job; `page` shares one context. */
  isolation?: 'context' | 'page';
  logger?: Logger;
}

export interface BrowserPool {
  /** Runs `task` on a fresh page; a crashed browser surfaces as BROWSER_CRASHED. */
  run<T>(task: (page: Page) => Promise<T>): Promise<T>;
  /** Pids (= process group ids) of the live browsers. */
  pids(): number[];
  close(): Promise<void>;
  /** Synchronous last resort (process exit): SIGKILL every browser process group. */
  kill(): void;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function launchBrowserPool(options: BrowserPoolOptions): Promise<BrowserPool> {
  const { config, logger } = options;
  const browsers = new Set<Browser>();

  // The cluster only calls `launch`; wrapping it lets us see every browser, restarts included.
  const tracked = {
    launch: async (launchOptions: LaunchOptions): Promise<Browser> => {
      const browser = await puppeteer.launch(launchOptions);
      browsers.add(browser);
      const pid = browser.process()?.pid;
      browser.once('disconnected', () => {
        browsers.delete(browser);
        // A crashed browser may leave renderer/zygote children in its group.
        if (pid !== undefined) killGroup(pid);
      });
      logger?.debug({ pid }, 'chromium launched');
      return browser;
    },
  };

  const cluster: Cluster<undefined, unknown> = await Cluster.launch({
    puppeteer: tracked,
    concurrency: options.isolation === 'page' ? Cluster.CONCURRENCY_PAGE : Cluster.CONCURRENCY_CONTEXT,
    maxConcurrency: config.CAPTURE_CONCURRENCY,
    // Backstop only: the capture enforces its own budget below this.
    timeout: config.CAPTURE_TIMEOUT_MS + 15_000,
    retryLimit: 0,
    puppeteerOptions: {
      executablePath: config.CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...options.args],
      defaultViewport: { width: 1280, height: 800 },
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    } as LaunchOptions,
  });

  const pids = () => [...browsers].map((b) => b.process()?.pid).filter((p): p is number => p !== undefined);
  let closed = false;

  return {
    run: async <T>(task: (page: Page) => Promise<T>): Promise<T> => {
      try {
        return (await cluster.execute(undefined, ({ page }) => task(page as Page))) as T;
      } catch (err) {
        throw toCaptureError(err);
      }
    },
    pids,
    close: async () => {
      if (closed) return;
      closed = true;
      const known = pids();
      try {
        await Promise.race([cluster.close(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      } catch (err) {
        logger?.warn({ err }, 'closing the browser cluster failed');
      }
      for (const pid of known) killGroup(pid);
    },
    kill: () => {
      for (const pid of pids()) killGroup(pid);
    },
  };
}
