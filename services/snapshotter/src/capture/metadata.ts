/** Page metadata read from the rendered DOM, stored both in the result and as a JSON artifact. */
import type { Page } from 'puppeteer-core';
import type { NavigationResult } from './navigate.js';

export interface PageMetadata {
  title: string | null;
  description: string | null;
  lang: string | null;
  canonical: string | null;
  finalUrl: string;
  httpStatus: number | null;
  contentType: string | null;
}

export async function readMetadata(page: Page, nav: NavigationResult): Promise<PageMetadata> {
  // No named helpers inside: the dev loader (tsx/esbuild) would wrap them in `__name`, which
  // does not exist in the page.
  const dom = await page.evaluate(() => ({
    title: document.title.trim() || null,
    description:
      document.querySelector('meta[name="description" i]')?.getAttribute('content')?.trim() ||
      document.querySelector('meta[property="og:description"]')?.getAttribute('content')?.trim() ||
      null,
    lang: document.documentElement.getAttribute('lang')?.trim() || null,
    canonical: (document.querySelector('link[rel~="canonical" i]') as HTMLLinkElement | null)?.href || null,
  }));
  return { ...dom, finalUrl: nav.finalUrl, httpStatus: nav.httpStatus, contentType: nav.contentType };
}

export function metadataArtifact(meta: PageMetadata): Buffer {
  return Buffer.from(`${JSON.stringify(meta, null, 2)}\n`, 'utf8');
}
