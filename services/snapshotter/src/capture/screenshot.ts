/** Full-page PNG screenshot at the pool's 1280×800 viewport. */
import type { Page } from 'puppeteer-core';

export async function captureScreenshot(page: Page): Promise<Buffer> {
  return Buffer.from(await page.screenshot({ type: 'png', fullPage: true }));
}
