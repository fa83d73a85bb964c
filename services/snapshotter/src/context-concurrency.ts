/**
 * puppeteer-cluster concurrency with one fresh browser context per job, like its built-in
 * CONCURRENCY_CONTEXT, but with the next job's context and page opened ahead of time: opening
 * them (a context, a target, the page's CDP set-up) takes 100–200 ms that would otherwise sit
 * at the start of every capture. A spare is used once and closed with its job, so cookies,
 * storage and cache still never pass from one job to another; one spare per browser at most.
 * Each context is opened with the given options (the egress proxy every page must go through).
 */
import type { ConcurrencyImplementationClassType } from 'puppeteer-cluster/dist/concurrency/ConcurrencyImplementation.js';
import sbi from 'puppeteer-cluster/dist/concurrency/SingleBrowserImplementation.js';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'puppeteer-core';

interface ContextResources {
  context: BrowserContext;
  page: Page;
}

// puppeteer-cluster does not export its base classes from the package root; this is the one
// its built-in CONCURRENCY_CONTEXT extends. Its types name `puppeteer`, ours are puppeteer-core.
const SingleBrowserImplementation = sbi.default as unknown as new (
  options: unknown,
  puppeteer: unknown,
) => {
  browser: Browser | null;
  init(): Promise<void>;
  close(): Promise<void>;
};

async function openContext(browser: Browser, options: BrowserContextOptions): Promise<ContextResources> {
  const context = await browser.createBrowserContext(options);
  try {
    return { context, page: await context.newPage() };
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
}

abstract class SpareContext extends SingleBrowserImplementation {
  protected abstract readonly contextOptions: BrowserContextOptions;
  private spare: { browser: Browser; resources: Promise<ContextResources | null> } | null = null;

  override async init(): Promise<void> {
    await super.init();
    this.prepareSpare();
  }

  override async close(): Promise<void> {
    this.discardSpare();
    await super.close();
  }

  /** Called by the base class for each job (bounded there by a 5 s timeout). */
  protected async createResources(): Promise<ContextResources> {
    const spare = this.takeSpare();
    const ready = spare && (await spare);
    if (ready && !ready.page.isClosed()) return ready;
    // No spare, or it died with its browser: open one now (and let its errors surface).
    return openContext(this.browser as Browser, this.contextOptions);
  }

  protected async freeResources(resources: ContextResources): Promise<void> {
    // Opened alongside the close rather than after it: the next job may be about to start.
    this.prepareSpare();
    await resources.context.close();
  }

  /** Starts opening the next job's context, unless one is already there or on its way. */
  private prepareSpare(): void {
    const browser = this.browser;
    if (this.spare || !browser?.connected) return;
    this.spare = { browser, resources: openContext(browser, this.contextOptions).catch(() => null) };
  }

  /** The spare, if it belongs to the current browser (a repair relaunches the browser). */
  private takeSpare(): Promise<ContextResources | null> | null {
    const spare = this.spare;
    this.spare = null;
    if (!spare) return null;
    if (spare.browser === this.browser) return spare.resources;
    void spare.resources.then((r) => r?.context.close().catch(() => undefined));
    return null;
  }

  private discardSpare(): void {
    const spare = this.spare;
    this.spare = null;
    void spare?.resources.then((r) => r?.context.close().catch(() => undefined));
  }
}

/** For `Cluster.launch({ concurrency })`, whose types are written against `puppeteer`. */
export function spareContextConcurrency(options: BrowserContextOptions = {}): ConcurrencyImplementationClassType {
  class WithOptions extends SpareContext {
    protected readonly contextOptions = options;
  }
  return WithOptions as unknown as ConcurrencyImplementationClassType;
}
