/**
 * Settle: bring lazy content in before anything is captured. The page is scrolled down in
 * viewport steps (bounded by height and time, so infinite scroll ends), lazy images are made
 * eager, then the page returns to the top and waits (bounded) for web fonts and for the
 * images that started loading. Before the scroll, site behaviours bring hidden content in:
 * closed `<details>` are opened, "load more"/"read more" buttons matched by LOAD_MORE_TEXT are
 * clicked (a few, never a link to another page), and videos are paused on their poster frame.
 * Every wait here is capped; nothing in it fails a capture.
 */
import type { Page } from 'puppeteer-core';

export interface SettleOptions {
  /** Stop scrolling past this many pixels. */
  maxHeight: number;
  /** Overall time for the scroll. */
  scrollMs: number;
  /** Wait for fonts and images after the scroll. */
  assetsMs: number;
}

/**
 * Button texts that reveal more of the same page. Whole-text matches only, so "More from
 * us" or a "Load more" link to page 2 are left alone.
 */
export const LOAD_MORE_TEXT =
  /^\s*(?:(?:load|show|read|see|view)\s+(?:more|all|full\s+(?:story|article))|continue\s+reading|more\s+(?:comments|replies))\s*(?:[.…>»↓]+)?\s*$/i;
/** At most this many buttons are clicked per page. */
const MAX_CLICKS = 3;

export interface SettleResult {
  /** Behaviours: `<details>` opened, buttons clicked, videos paused. */
  behaviours: { details: number; clicked: number; videos: number };
  steps: number;
  scrolledTo: number;
  pendingImages: number;
}

// The page-side steps of `settle`, as plain JavaScript source: the dev loader (tsx/esbuild)
// would wrap named helpers of a function in `__name`, which does not exist in the page.
// `script` below puts them together in one evaluation.

const PAGE_TIMING = `
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Two frames, capped in case frames are throttled.
  const twoFrames = (capMs) =>
    Promise.race([new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))), sleep(capMs)]);`;

/** Site behaviours: opens closed `<details>`, pauses videos, clicks a few load-more buttons. */
const RUN_BEHAVIOURS = `
  const runBehaviours = async (opts) => {
    const behaviours = { details: 0, clicked: 0, videos: 0 };
    for (const details of Array.from(document.querySelectorAll('details:not([open])'))) {
      details.open = true;
      behaviours.details++;
    }
    for (const video of Array.from(document.querySelectorAll('video'))) {
      try {
        video.pause();
        video.currentTime = 0;
        behaviours.videos++;
      } catch (e) {}
    }
    const loadMore = new RegExp(opts.loadMore.source, opts.loadMore.flags);
    const buttons = Array.from(document.querySelectorAll('button, [role="button"], a, input[type="button"]'));
    for (const el of buttons) {
      if (behaviours.clicked >= opts.maxClicks) break;
      const text = (el.value || el.innerText || el.textContent || '').trim();
      if (!loadMore.test(text)) continue;
      const href = el.tagName === 'A' ? el.getAttribute('href') || '' : '';
      if (href && !href.startsWith('#') && !/^javascript:/i.test(href)) continue;
      if (el.disabled || !el.getClientRects().length) continue;
      el.click();
      behaviours.clicked++;
    }
    if (behaviours.clicked > 0) await sleep(Math.min(500, opts.scrollMs / 4));
    return behaviours;
  };`;

const MAKE_LAZY_EAGER = `
  const makeLazyEager = () => {
    for (const img of Array.from(document.querySelectorAll('img[loading="lazy" i]'))) {
      img.loading = 'eager';
    }
    for (const frame of Array.from(document.querySelectorAll('iframe[loading="lazy" i]'))) {
      frame.loading = 'eager';
    }
  };`;

/** Scrolls down in viewport steps until the bottom, the height limit or the scroll time (from `start`). */
const SCROLL_DOWN = `
  const scrollDown = async (opts, start) => {
    const root = document.scrollingElement ?? document.documentElement;
    const step = Math.max(200, Math.floor(window.innerHeight * 0.9));
    let y = 0;
    let steps = 0;
    while (Date.now() - start < opts.scrollMs) {
      const height = Math.min(root?.scrollHeight ?? 0, opts.maxHeight);
      if (y + window.innerHeight >= height) break;
      y = Math.min(y + step, height);
      window.scrollTo(0, y);
      steps++;
      // Two frames let IntersectionObserver-driven loaders see the new position, then a short
      // pause for them to start their requests.
      await twoFrames(150);
      await sleep(30);
    }
    // At the bottom, loaders driven by IntersectionObserver only see the last position once a
    // frame is drawn there; on a loaded machine the per-step wait above can pass without one.
    if (steps > 0) {
      await twoFrames(1000);
      await sleep(150);
    }
    // Back to the top: thumbnails and screenshots start there. A page that fits the viewport
    // and never moved has nothing to repaint, so it does not wait for that.
    if (steps > 0 || window.scrollY !== 0) {
      window.scrollTo(0, 0);
      await sleep(50);
    }
    return { y, steps };
  };`;

/** Waits, within `assetsMs` in all, for web fonts and then for the images still loading. */
const WAIT_FOR_ASSETS = `
  const pendingImages = () => Array.from(document.images).filter((img) => img.currentSrc && !img.complete);
  const waitForAssets = async (opts) => {
    const deadline = Date.now() + opts.assetsMs;
    const remaining = () => Math.max(0, deadline - Date.now());
    const fonts = document.fonts;
    if (fonts) await Promise.race([fonts.ready, sleep(remaining())]);
    const pending = pendingImages();
    await Promise.race([
      Promise.all(
        pending.map(
          (img) =>
            new Promise((resolve) => {
              img.addEventListener('load', resolve, { once: true });
              img.addEventListener('error', resolve, { once: true });
            }),
        ),
      ),
      sleep(remaining()),
    ]);
  };`;

export async function settle(page: Page, options: SettleOptions): Promise<SettleResult> {
  const script = `(async (opts) => {
      ${PAGE_TIMING}
      ${RUN_BEHAVIOURS}
      ${MAKE_LAZY_EAGER}
      ${SCROLL_DOWN}
      ${WAIT_FOR_ASSETS}
      const start = Date.now();
      const behaviours = await runBehaviours(opts);
      makeLazyEager();
      const { y, steps } = await scrollDown(opts, start);
      await waitForAssets(opts);
      return { behaviours, steps, scrolledTo: y, pendingImages: pendingImages().length };
  })(${JSON.stringify({
    maxHeight: options.maxHeight,
    scrollMs: options.scrollMs,
    assetsMs: options.assetsMs,
    loadMore: { source: LOAD_MORE_TEXT.source, flags: LOAD_MORE_TEXT.flags },
    maxClicks: MAX_CLICKS,
  })})`;
  return (await page.evaluate(script)) as SettleResult;
}
