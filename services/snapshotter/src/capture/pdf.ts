/**
 * Print-to-PDF of the rendered page (A4, backgrounds kept). Untagged: the accessibility
 * structure tree roughly doubles the print time of long pages.
 */
import type { Page } from 'puppeteer-core';

export async function capturePdf(page: Page, timeoutMs?: number): Promise<Buffer> {
  return Buffer.from(
    await page.pdf({
      format: 'A4',
      printBackground: true,
      tagged: false,
      outline: false,
      // Fonts were awaited (bounded) while settling; waiting again is unbounded.
      waitForFonts: false,
      timeout: timeoutMs,
    }),
  );
}
