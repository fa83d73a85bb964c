/**
 * The stored screenshot: lossless WebP of the PNG Chromium took, or that PNG itself when the
 * encoding failed, so a slow or failing encoder never loses the screenshot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { imageSize } from '../../../test/support/image-size.js';
import { encodeScreenshot, type FullPageShot, storedScreenshot } from '../src/capture/screenshot.js';

async function pageLikeShot(): Promise<FullPageShot> {
  // Flat colour and a band of "text": what page screenshots are made of.
  const band = Buffer.alloc(1280 * 40 * 3, 20);
  const body = await sharp({ create: { width: 1280, height: 600, channels: 3, background: '#f4f4f4' } })
    .composite([{ input: band, raw: { width: 1280, height: 40, channels: 3 }, top: 100, left: 0 }])
    .png()
    .toBuffer();
  return { body, height: 600, pageHeight: 600, cut: false };
}

test('stores lossless WebP with the same pixels as the PNG Chromium took', async () => {
  const shot = await pageLikeShot();
  const stored = storedScreenshot(shot, 'webp', await encodeScreenshot(shot, 'webp'));
  assert.equal(stored.contentType, 'image/webp');
  assert.equal(imageSize(stored.body).format, 'webp');
  // Colour channels compared (an opaque image's alpha may be dropped by the encoder).
  const png = await sharp(shot.body).removeAlpha().raw().toBuffer();
  const webp = await sharp(stored.body).removeAlpha().raw().toBuffer();
  assert.ok(png.equals(webp), 'lossless: every pixel is the one Chromium drew');
});

test('stores the PNG itself when the encoding failed or ran out of time', async () => {
  const shot = await pageLikeShot();
  const stored = storedScreenshot(shot, 'webp', null);
  assert.deepEqual([stored.contentType, stored.ext], ['image/png', 'png']);
  assert.equal(stored.body, shot.body);
  assert.equal(imageSize(stored.body).format, 'png');
});
