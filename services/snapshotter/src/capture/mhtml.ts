/** Single-file archive through CDP `Page.captureSnapshot` (MHTML with every subresource). */
import type { Page } from 'puppeteer-core';

export async function captureMhtml(page: Page): Promise<Buffer> {
  const session = await page.createCDPSession();
  try {
    const { data } = await session.send('Page.captureSnapshot', { format: 'mhtml' });
    return Buffer.from(data, 'utf8');
  } finally {
    await session.detach().catch(() => undefined);
  }
}
