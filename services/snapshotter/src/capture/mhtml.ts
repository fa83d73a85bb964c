/** Single-file archive through CDP `Page.captureSnapshot` (MHTML with every subresource). */
import type { Page } from 'puppeteer-core';
import { datelessMhtml } from './dateless.js';

export async function captureMhtml(page: Page): Promise<Buffer> {
  const session = await page.createCDPSession();
  try {
    const { data } = await session.send('Page.captureSnapshot', { format: 'mhtml' });
    // Date, boundary and Content-IDs made stable, so an unchanged page is stored once (ADR 0017).
    return datelessMhtml(Buffer.from(data, 'utf8'));
  } finally {
    await session.detach().catch(() => undefined);
  }
}
