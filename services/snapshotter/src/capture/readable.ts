/**
 * Readable text: Mozilla Readability run inside the page, on a clone of the rendered DOM.
 * The library's source is evaluated through CDP (Runtime.evaluate), which page CSP cannot
 * block the way it blocks an injected <script>. When Readability finds no article, the
 * body's rendered text is kept instead. The title follows Readability's upstream rule
 * (title.ts) rather than the one in the 0.6.0 release, for the article and for the fallback.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';
import { ARTICLE_TITLE_SOURCE } from './title.js';

const require = createRequire(import.meta.url);
let source: string | undefined;
function readabilitySource(): string {
  source ??= readFileSync(require.resolve('@mozilla/readability/Readability.js'), 'utf8');
  return source;
}

/** Longest text kept in the result row (the artifact keeps it all). */
export const RESULT_TEXT_LIMIT = 200_000;

export interface ReadableArticle {
  /** Readability found an article (otherwise text is the body's text and html is empty). */
  found: boolean;
  title: string | null;
  byline: string | null;
  excerpt: string | null;
  siteName: string | null;
  lang: string | null;
  publishedTime: string | null;
  /** Cleaned article HTML. */
  html: string;
  text: string;
}

/** Plain text with whitespace tidied: single spaces, at most one blank line. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export async function readArticle(page: Page): Promise<ReadableArticle> {
  const expression = `(() => {
    ${readabilitySource()}
    ${ARTICLE_TITLE_SOURCE}
    const str = (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
    let article = null;
    try {
      const reader = new Readability(document.cloneNode(true), { charThreshold: 200 });
      // Readability asks this method only when the page's metadata names no title. It is
      // internal: the title fixtures in clean-capture.test.ts fail if an upgrade drops it.
      if (typeof reader._getArticleTitle === 'function') {
        reader._getArticleTitle = function () {
          return articleTitle(this._doc);
        };
      }
      article = reader.parse();
    } catch (e) {
      article = null;
    }
    if (article && str(article.textContent)) {
      return {
        found: true,
        title: str(article.title),
        byline: str(article.byline),
        excerpt: str(article.excerpt),
        siteName: str(article.siteName),
        lang: str(article.lang),
        publishedTime: str(article.publishedTime),
        html: article.content || '',
        text: article.textContent || '',
      };
    }
    return {
      found: false, title: str(articleTitle(document)), byline: null, excerpt: null, siteName: null, lang: null, publishedTime: null,
      html: '', text: (document.body && (document.body.innerText || document.body.textContent)) || '',
    };
  })()`;
  const article = (await page.evaluate(expression)) as ReadableArticle;
  return { ...article, text: tidyText(article.text) };
}

export function readableDocument(article: ReadableArticle, fallbackTitle: string | null, url: string): Buffer {
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const title = esc(article.title ?? fallbackTitle ?? '');
  const lang = article.lang ? ` lang="${esc(article.lang)}"` : '';
  const byline = article.byline ? `<p class="byline">${esc(article.byline)}</p>\n` : '';
  const body = article.found
    ? article.html
    : article.text
        .split(/\n{2,}/)
        .map((p) => `<p>${esc(p)}</p>`)
        .join('\n');
  return Buffer.from(
    `<!doctype html>\n<html${lang}><head><meta charset="utf-8"><title>${title}</title>\n` +
      `<base href="${esc(url)}"></head>\n<body><article><h1>${title}</h1>\n${byline}${body}\n</article></body></html>\n`,
    'utf8',
  );
}
