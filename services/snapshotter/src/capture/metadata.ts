/** Page metadata read from the rendered DOM, stored both in the result and as a JSON artifact. */
import type { Page } from 'puppeteer-core';
import type { NavigationResult } from './navigate.js';
import type { ReadableArticle } from './readable.js';

export interface PageMetadata {
  title: string | null;
  description: string | null;
  lang: string | null;
  canonical: string | null;
  siteName: string | null;
  author: string | null;
  publishedTime: string | null;
  favicon: string | null;
  image: string | null;
  finalUrl: string;
  httpStatus: number | null;
  contentType: string | null;
}

export function emptyMetadata(nav: NavigationResult): PageMetadata {
  return {
    title: null,
    description: null,
    lang: null,
    canonical: null,
    siteName: null,
    author: null,
    publishedTime: null,
    favicon: null,
    image: null,
    finalUrl: nav.finalUrl,
    httpStatus: nav.httpStatus,
    contentType: nav.contentType,
  };
}

/**
 * What the readable text already knows, when the metadata stage itself did not finish (it
 * waits behind the page's other renderings): the snapshot keeps its title and excerpt.
 */
export function articleMetadata(nav: NavigationResult, article: ReadableArticle | null): PageMetadata {
  return {
    ...emptyMetadata(nav),
    title: article?.title ?? null,
    description: article?.excerpt ?? null,
    lang: article?.lang ?? null,
    siteName: article?.siteName ?? null,
    author: article?.byline ?? null,
    publishedTime: article?.publishedTime ?? null,
  };
}

/** What the page itself says; the navigation fills in the rest. */
type DomMetadata = Omit<PageMetadata, 'finalUrl' | 'httpStatus' | 'contentType'>;

export async function readMetadata(
  page: Page,
  nav: NavigationResult,
  article: ReadableArticle | null,
): Promise<PageMetadata> {
  // Plain JavaScript source: the dev loader (tsx/esbuild) would wrap named helpers of a
  // function in `__name`, which does not exist in the page.
  const dom = (await page.evaluate(`(() => {
    const meta = (selectors) => {
      for (const selector of selectors) {
        const value = document.querySelector(selector)?.getAttribute('content')?.trim();
        if (value) return value;
      }
      return null;
    };
    const href = (selector) => document.querySelector(selector)?.href || null;
    const abs = (value) => {
      if (!value) return null;
      try {
        return new URL(value, document.baseURI).href;
      } catch {
        return null;
      }
    };
    const isHttp = /^https?:$/.test(location.protocol);
    return {
      title: document.title.trim() || null,
      description: meta([
        'meta[name="description" i]',
        'meta[property="og:description" i]',
        'meta[name="twitter:description" i]',
        'meta[property="twitter:description" i]',
      ]),
      lang: document.documentElement.getAttribute('lang')?.trim() || null,
      canonical: href('link[rel~="canonical" i]') || abs(meta(['meta[property="og:url" i]'])),
      siteName: meta(['meta[property="og:site_name" i]', 'meta[name="application-name" i]']),
      author: meta(['meta[name="author" i]', 'meta[property="article:author" i]', 'meta[name="byl" i]']),
      publishedTime: meta([
        'meta[property="article:published_time" i]',
        'meta[name="date" i]',
        'meta[itemprop="datePublished" i]',
      ]),
      favicon:
        href('link[rel~="icon" i]') ||
        href('link[rel~="apple-touch-icon" i]') ||
        (isHttp ? new URL('/favicon.ico', location.href).href : null),
      image: abs(
        meta([
          'meta[property="og:image" i]',
          'meta[property="og:image:url" i]',
          'meta[name="twitter:image" i]',
          'meta[property="twitter:image" i]',
          'meta[name="twitter:image:src" i]',
        ]),
      ),
    };
  })()`)) as DomMetadata;
  const read = articleMetadata(nav, article);
  return {
    ...read,
    title: read.title ?? dom.title,
    // Readability's excerpt already weighs JSON-LD, Dublin Core, Open Graph and Twitter
    // descriptions (space-separated properties included) before the plain meta tag.
    description: read.description ?? dom.description,
    lang: dom.lang ?? read.lang,
    canonical: dom.canonical,
    siteName: dom.siteName ?? read.siteName,
    author: dom.author ?? read.author,
    publishedTime: dom.publishedTime ?? read.publishedTime,
    favicon: dom.favicon,
    image: dom.image,
  };
}

export function jsonArtifact(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}
