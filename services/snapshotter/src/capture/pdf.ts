/**
 * Print-to-PDF of the rendered page (A4, backgrounds kept). Untagged: the accessibility
 * structure tree roughly doubles the print time of long pages.
 */
import type { Page } from 'puppeteer-core';
import { datelessPdf } from './dateless.js';

export async function capturePdf(page: Page, timeoutMs?: number): Promise<Buffer> {
  const pdf = Buffer.from(
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
  // Dates blanked, so an unchanged page prints the same bytes (stored once, ADR 0017).
  return datelessPdf(pdf);
}
