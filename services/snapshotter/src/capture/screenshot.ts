/**
 * Screenshots at the pool's 1280×800 viewport: a full-page PNG cut at `maxHeight` (the caller
 * records the cut), and a ~400 px wide JPEG thumbnail of the top of the page, scaled from that
 * PNG by libvips (sharp) or, without one, rendered by Chromium from the viewport.
 */
import type { Page } from 'puppeteer-core';
import type { Sharp, SharpOptions } from 'sharp';

let libvips: Promise<(input: Buffer, options: SharpOptions) => Sharp> | undefined;
/** sharp, loaded on first use: libvips takes about half a second to load, at every start. */
function sharpLoaded() {
  libvips ??= import('sharp').then(({ default: sharp }) => {
    // A long-running worker scales one image per job: libvips' operation cache would only hold
    // memory, and its thread pool is bounded by the cores either way.
    sharp.cache(false);
    return sharp;
  });
  return libvips;
}

export const THUMBNAIL_WIDTH = 400;

export interface FullPageShot {
  body: Buffer;
  height: number;
  pageHeight: number;
  cut: boolean;
}

async function pageSize(page: Page): Promise<{ width: number; height: number; viewportWidth: number }> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return {
      width: Math.max(root?.scrollWidth ?? 0, document.body?.scrollWidth ?? 0, window.innerWidth),
      height: Math.max(root?.scrollHeight ?? 0, document.body?.scrollHeight ?? 0, window.innerHeight),
      viewportWidth: window.innerWidth,
    };
  });
}

export async function captureScreenshot(page: Page, maxHeight: number): Promise<FullPageShot> {
  const size = await pageSize(page);
  const height = Math.max(1, Math.min(size.height, maxHeight));
  const body = Buffer.from(
    await page.screenshot({
      type: 'png',
      // Fast zlib settings: full pages are large, and encoding dominates the stage.
      optimizeForSpeed: true,
      clip: { x: 0, y: 0, width: size.viewportWidth, height },
      captureBeyondViewport: true,
    }),
  );
  return { body, height, pageHeight: size.height, cut: size.height > maxHeight };
}

/**
 * The thumbnail scaled from the full-page screenshot's first viewport: no second frame from
 * Chromium (a viewport capture costs about as much as the full page on short pages), and the
 * work runs on libvips' threads while Chromium goes on with the PDF and the archive. The PNG is
 * read sequentially, so only its top rows are decoded, however tall the page.
 */
export async function thumbnailOf(shot: FullPageShot, viewportHeight: number): Promise<Buffer> {
  const sharp = await sharpLoaded();
  const image = sharp(shot.body, { sequentialRead: true });
  const { width = 0 } = await image.metadata();
  return image
    .extract({ left: 0, top: 0, width, height: Math.min(viewportHeight, shot.height) })
    .resize({ width: THUMBNAIL_WIDTH })
    .jpeg({ quality: 75 })
    .toBuffer();
}

export async function captureThumbnail(page: Page): Promise<Buffer> {
  const viewport = page.viewport() ?? { width: 1280, height: 800 };
  return Buffer.from(
    await page.screenshot({
      type: 'jpeg',
      quality: 75,
      captureBeyondViewport: false,
      clip: { x: 0, y: 0, width: viewport.width, height: viewport.height, scale: THUMBNAIL_WIDTH / viewport.width },
    }),
  );
}
