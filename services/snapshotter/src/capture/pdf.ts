/** Print-to-PDF of the rendered page (A4, backgrounds kept). */
import type { Page } from 'puppeteer-core';

export async function capturePdf(page: Page): Promise<Buffer> {
  return Buffer.from(await page.pdf({ format: 'A4', printBackground: true }));
}
