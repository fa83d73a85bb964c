/**
 * The browser pool: one puppeteer-cluster over Debian's Chromium, forced through the egress
 * proxy. It owns every Chromium process this worker starts: puppeteer launches each browser
 * in its own process group, so closing (or, on a hard failure, killing) those groups is what
 * keeps a dying worker from leaving browsers behind; a worker killed outright cannot do that,
 * so each browser talks to it over a pipe and exits when the pipe closes.
 */
import type { Config, Logger } from '@linksnap/shared';
import { AppError } from '@linksnap/shared';
import { Cluster } from 'puppeteer-cluster';
import puppeteer, { type Browser, type BrowserContextOptions, type LaunchOptions, type Page } from 'puppeteer-core';
import { CHROMIUM_ARGS } from './chromium-flags.js';
import { spareContextConcurrency } from './context-concurrency.js';
import { toCaptureError } from './errors.js';

export { CHROMIUM_ARGS };

export interface BrowserPoolOptions {
  config: Pick<Config, 'CHROMIUM_PATH' | 'CAPTURE_TIMEOUT_MS'> &
    Partial<Pick<Config, 'CAPTURE_CONCURRENCY' | 'BROWSER_RECYCLE_PAGES' | 'BROWSER_RECYCLE_MINUTES'>>;
  /**
   * Pages the pool can run at once (the adaptive concurrency's upper bound); default
   * CAPTURE_CONCURRENCY, else 2. Contexts are opened on demand, so an unused slot costs nothing.
   */
  maxConcurrency?: number;
  /** Extra Chromium flags, e.g. the egress proxy's. */
  args: string[];
  /** Options of each job's browser context, e.g. the egress proxy its pages go through. */
  contextOptions?: BrowserContextOptions;
  logger?: Logger;
}

export interface BrowserPool {
  /** Runs `task` on a fresh page; a crashed browser surfaces as BROWSER_CRASHED. */
  run<T>(task: (page: Page) => Promise<T>): Promise<T>;
  /** Pids (= process group ids) of the live browsers. */
  pids(): number[];
  /** How many times the browsers were relaunched to bound their memory. */
  recycles(): number;
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

const HARD_DEADLINE_GRACE_MS = 2_000;

async function withDeadline<T>(page: Page, task: (page: Page) => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      page.close({ runBeforeUnload: false }).catch(() => undefined);
      reject(new AppError('NAVIGATION_TIMEOUT', `The capture did not finish within its ${ms} ms budget.`));
    }, ms);
  });
  try {
    return await Promise.race([task(page), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `task` on the cluster. `result` settles as soon as the task does; the cluster closes the
 * job's context before its own promise settles, and `closed` is that: the capture's outcome
 * does not wait for the browser's clean-up.
 */
function executeEarly<T>(
  cluster: Cluster<undefined, unknown>,
  task: (page: Page) => Promise<T>,
): { result: Promise<T>; closed: Promise<unknown> } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const result = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const closed = cluster.execute(undefined, async ({ page }) => {
    try {
      const value = await task(page as Page);
      resolve(value);
      return value;
    } catch (err) {
      reject(err);
      throw err;
    }
  });
  // Failures before the task ran (no page could be opened, the cluster is closed).
  closed.catch(reject);
  return { result, closed };
}

/**
 * The `puppeteer` the cluster is given: it only calls `launch`, and wrapping it lets us see every
 * browser, restarts included, and kill what a crashed one leaves behind.
 */
function trackingLauncher(browsers: Set<Browser>, logger: Logger | undefined) {
  return {
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
}

function launchCluster(
  options: BrowserPoolOptions,
  launcher: ReturnType<typeof trackingLauncher>,
): Promise<Cluster<undefined, unknown>> {
  const { config } = options;
  return Cluster.launch({
    puppeteer: launcher,
    // A fresh context per job, opened ahead of the job (context-concurrency.ts).
    concurrency: spareContextConcurrency(options.contextOptions),
    maxConcurrency: options.maxConcurrency ?? config.CAPTURE_CONCURRENCY ?? 2,
    // Backstop only: the capture enforces its own budget below this.
    timeout: config.CAPTURE_TIMEOUT_MS + 15_000,
    retryLimit: 0,
    puppeteerOptions: {
      executablePath: config.CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS, ...options.args],
      defaultViewport: { width: 1280, height: 800 },
      // DevTools over a pipe, not a WebSocket: when this process dies (SIGKILL, OOM kill) the
      // pipe closes and Chromium exits by itself instead of living on as an orphan.
      pipe: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    } as LaunchOptions,
  });
}

/** Closes `target` within 10 s, then kills the process groups of the browsers it had (`known`). */
async function closeCluster(
  target: Cluster<undefined, unknown>,
  known: number[],
  logger: Logger | undefined,
): Promise<void> {
  try {
    await Promise.race([target.close(), new Promise((r) => setTimeout(r, 10_000).unref())]);
  } catch (err) {
    logger?.warn({ err }, 'closing the browser cluster failed');
  }
  for (const pid of known) killGroup(pid);
}

/**
 * Memory bound: after BROWSER_RECYCLE_PAGES pages or BROWSER_RECYCLE_MINUTES the browsers are
 * due for a relaunch, which waits until the in-flight jobs are done.
 */
function recycleSlots(config: BrowserPoolOptions['config']) {
  const recyclePages = config.BROWSER_RECYCLE_PAGES ?? 200;
  const recycleMs = (config.BROWSER_RECYCLE_MINUTES ?? 30) * 60_000;
  let pages = 0;
  let launchedAt = Date.now();
  let inFlight = 0;
  let onIdle: (() => void) | null = null;
  return {
    due: () => pages >= recyclePages || Date.now() - launchedAt >= recycleMs,
    take: () => {
      inFlight++;
      pages++;
    },
    release: () => {
      inFlight--;
      if (inFlight === 0 && onIdle) {
        onIdle();
        onIdle = null;
      }
    },
    busy: () => inFlight > 0,
    idle: () => new Promise<void>((resolve) => (onIdle = resolve)),
    usage: () => ({ pages, minutes: Math.round((Date.now() - launchedAt) / 60_000) }),
    relaunched: () => {
      pages = 0;
      launchedAt = Date.now();
    },
  };
}

export async function launchBrowserPool(options: BrowserPoolOptions): Promise<BrowserPool> {
  const { config, logger } = options;
  const browsers = new Set<Browser>();
  const launcher = trackingLauncher(browsers, logger);
  let cluster = await launchCluster(options, launcher);

  // The capture keeps its own budget; this ends a task stuck past it (a renderer spinning in
  // `while(true){}` ignores CDP calls) by closing its page, which frees the slot.
  const hardDeadlineMs = config.CAPTURE_TIMEOUT_MS + HARD_DEADLINE_GRACE_MS;
  const pids = () => [...browsers].map((b) => b.process()?.pid).filter((p): p is number => p !== undefined);
  let closed = false;

  // New jobs wait while a recycle lets the in-flight ones finish, then closes and relaunches.
  const slots = recycleSlots(config);
  let recycleCount = 0;
  let recycling: Promise<void> | null = null;
  const recycle = async () => {
    if (slots.busy()) await slots.idle();
    logger?.info(slots.usage(), 'recycling the browsers');
    await closeCluster(cluster, pids(), logger);
    cluster = await launchCluster(options, launcher);
    slots.relaunched();
    recycleCount++;
  };

  return {
    run: async <T>(task: (page: Page) => Promise<T>): Promise<T> => {
      try {
        while (recycling || slots.due()) {
          if (closed) break;
          recycling ??= recycle().finally(() => {
            recycling = null;
          });
          await recycling;
        }
        slots.take();
      } catch (err) {
        throw toCaptureError(err);
      }
      const job = executeEarly(cluster, (page) => withDeadline(page, task, hardDeadlineMs));
      // The slot (and the recycle's wait) lasts until the job's context is closed.
      job.closed.then(slots.release, slots.release);
      try {
        return await job.result;
      } catch (err) {
        throw toCaptureError(err);
      }
    },
    pids,
    recycles: () => recycleCount,
    close: async () => {
      if (closed) return;
      closed = true;
      await recycling?.catch(() => undefined);
      await closeCluster(cluster, pids(), logger);
    },
    kill: () => {
      for (const pid of pids()) killGroup(pid);
    },
  };
}
