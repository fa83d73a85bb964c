/**
 * The source of an uploaded capture: the page the user's browser serialised (SingleFile HTML)
 * is served to the page for the link's own URL by request interception, so relative URLs,
 * `location` and the title bar look as they did; every other request the page makes (images,
 * frames, prefetches, navigations, `file:` and private addresses alike) is refused before it
 * leaves Chromium. Script is switched off, and the document carries a CSP that allows only
 * inline and `data:` resources, the form SingleFile gives them. The page runs in a browser
 * context of its own whose proxy is the egress guard's refusing listener: even a request the
 * interception missed would reach nothing (docs/decisions/0020-uploaded-captures.md).
 */
import type { BrowserContext, HTTPRequest, Page } from 'puppeteer-core';

/** What an uploaded page may load: its own inline and `data:`/`blob:` resources, nothing else. */
export const UPLOAD_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline' data: blob:",
  'img-src data: blob:',
  'font-src data: blob:',
  'media-src data: blob:',
  'frame-src data: blob: about:',
  "script-src 'none'",
  "form-action 'none'",
].join('; ');

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/**
 * Opens a page in a context of its own (proxy: `proxyServer`, the refusing listener) that
 * answers `url` with `html` and refuses every other request. Close the context when done.
 */
export async function openUploadPage(
  browserOf: Page,
  options: { url: string; html: Buffer; proxyServer: string },
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browserOf
    .browser()
    .createBrowserContext({ proxyServer: options.proxyServer, proxyBypassList: ['<-loopback>'] });
  try {
    const page = await context.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    const target = withoutFragment(options.url);
    let served = false;
    page.on('request', (request: HTTPRequest) => {
      const main = request.isNavigationRequest() && request.frame() === page.mainFrame();
      if (main && !served && withoutFragment(request.url()) === target) {
        served = true;
        request
          .respond({
            status: 200,
            headers: { 'content-security-policy': UPLOAD_CSP },
            contentType: 'text/html; charset=utf-8',
            body: options.html,
          })
          .catch(() => undefined);
        return;
      }
      if (main) {
        // A navigation away (meta refresh, a followed link): 204 keeps the uploaded document
        // where an abort would replace it with Chromium's error page. Nothing is fetched.
        request.respond({ status: 204, body: '' }).catch(() => undefined);
        return;
      }
      request.abort('blockedbyclient').catch(() => undefined);
    });
    return { page, context };
  } catch (err) {
    await context.close().catch(() => undefined);
    throw err;
  }
}
