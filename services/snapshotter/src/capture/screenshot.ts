/**
 * Screenshots at the pool's 1280×800 viewport: a full-page PNG cut at `maxHeight` (the caller
 * records the cut), stored as lossless WebP (config SCREENSHOT_FORMAT; PNG as taken otherwise), and a
 * ~400 px wide WebP thumbnail of the top of the page, both made by libvips (sharp) from the
 * PNG, or, without one, a thumbnail rendered by Chromium from the viewport. Chromium encodes
 * its fast PNG, and sharp the WebP, on its own threads while Chromium prints the PDF: on tall
 * corpus pages Chromium's own WebP took 2–4 s of the screenshot stage, the PNG 0.4–1 s, and
 * sharp's WebP 0.3–1.4 s beside it.
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
export type ScreenshotFormat = 'webp' | 'png';
/** WebP cannot be taller than this; a longer page is cut here (and the cut reported). */
export const WEBP_MAX_HEIGHT = 16_383;
/**
 * Lossless. A page screenshot is flat colour and text, which lossless WebP packs better than
 * lossy, and every pixel stays the one Chromium drew. Measured on the 46 corpus pages (median
 * screenshot, CPU-seconds to encode all 46): lossy quality 80 at effort 0, 690 KiB and 10.1 s;
 * lossless quality 1, 425 KiB and 12.7 s; lossless quality 30, 299 KiB and 26.7 s. libwebp reads
 * `quality` as compression effort when lossless, in two tiers (1–22 alike, 25–100 alike within
 * 2 %); `effort` (the method) changes little. Quality 30 is what brings the median snapshot under
 * 1 MB (0.90 MB against 1.04 MB at quality 1, 1.29 MB lossy), for about 0.3 CPU-seconds more
 * per page, spent on libvips' threads while Chromium prints the PDF.
 */
const WEBP_LOSSLESS = { lossless: true, quality: 30, effort: 1 } as const;
const THUMBNAIL_QUALITY = 75;

/** Content type and extension of a stored screenshot in this format. */
export function screenshotType(format: ScreenshotFormat): { contentType: string; ext: string } {
  return format === 'png' ? { contentType: 'image/png', ext: 'png' } : { contentType: 'image/webp', ext: 'webp' };
}

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

/** The full page as a fast PNG, no taller than the stored format allows. */
export async function captureScreenshot(
  page: Page,
  maxHeight: number,
  format: ScreenshotFormat = 'webp',
): Promise<FullPageShot> {
  const size = await pageSize(page);
  const limit = format === 'webp' ? Math.min(maxHeight, WEBP_MAX_HEIGHT) : maxHeight;
  const height = Math.max(1, Math.min(size.height, limit));
  const body = Buffer.from(
    await page.screenshot({
      type: 'png',
      // Fast zlib settings: full pages are large, and encoding dominates the stage.
      optimizeForSpeed: true,
      clip: { x: 0, y: 0, width: size.viewportWidth, height },
      captureBeyondViewport: true,
    }),
  );
  return { body, height, pageHeight: size.height, cut: size.height > limit };
}

/** The full-page screenshot as stored: the PNG itself, or its WebP encoding. */
export async function encodeScreenshot(shot: FullPageShot, format: ScreenshotFormat): Promise<Buffer> {
  if (format === 'png') return shot.body;
  const sharp = await sharpLoaded();
  return sharp(shot.body, {}).webp(WEBP_LOSSLESS).toBuffer();
}

/**
 * What is stored for a screenshot: its encoding, or, when the encoder failed or ran out of
 * time (a 16k-pixel page takes about 5 s of lossless WebP on a quiet 2-core machine, several
 * times that under load), the PNG Chromium took: the same pixels, larger, never none.
 */
export function storedScreenshot(
  shot: FullPageShot,
  format: ScreenshotFormat,
  encoded: Buffer | null,
): { body: Buffer; contentType: string; ext: string } {
  return encoded ? { body: encoded, ...screenshotType(format) } : { body: shot.body, ...screenshotType('png') };
}

/**
 * The thumbnail scaled from the full-page screenshot's first viewport: no second frame from
 * Chromium (a viewport capture costs about as much as the full page on short pages), and the
 * work runs on libvips' threads while Chromium goes on with the PDF and the archive. The image is
 * read sequentially, so only its top rows are decoded, however tall the page.
 */
export async function thumbnailOf(shot: FullPageShot, viewportHeight: number): Promise<Buffer> {
  const sharp = await sharpLoaded();
  const image = sharp(shot.body, { sequentialRead: true });
  const { width = 0 } = await image.metadata();
  return image
    .extract({ left: 0, top: 0, width, height: Math.min(viewportHeight, shot.height) })
    .resize({ width: THUMBNAIL_WIDTH })
    .webp({ quality: THUMBNAIL_QUALITY })
    .toBuffer();
}

export async function captureThumbnail(page: Page): Promise<Buffer> {
  const viewport = page.viewport() ?? { width: 1280, height: 800 };
  return Buffer.from(
    await page.screenshot({
      type: 'webp',
      quality: THUMBNAIL_QUALITY,
      captureBeyondViewport: false,
      clip: { x: 0, y: 0, width: viewport.width, height: viewport.height, scale: THUMBNAIL_WIDTH / viewport.width },
    }),
  );
}
