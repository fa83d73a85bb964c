/** The rendered DOM serialised as HTML (after scripts ran), not the original response body. */
import type { Page } from 'puppeteer-core';

export async function captureHtml(page: Page): Promise<Buffer> {
  return Buffer.from(await page.content(), 'utf8');
}
