/**
 * The page's icon, kept as an object so a snapshot still shows it when the site is gone.
 * Loaded with CDP `Network.loadNetworkResource` in the page's frame: it goes through the same
 * browser network stack (and so the egress proxy) as every other request, but is not subject
 * to CORS, which would hide most cross-origin icons from page script.
 */
import type { Page } from 'puppeteer-core';

export const MAX_FAVICON_BYTES = 512 * 1024;

export interface Favicon {
  body: Buffer;
  contentType: string;
  ext: string;
}

const EXTENSIONS: Record<string, string> = {
  'image/x-icon': 'ico',
  'image/vnd.microsoft.icon': 'ico',
  'image/png': 'png',
  'image/svg+xml': 'svg',
  'image/gif': 'gif',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
};

function favicon(body: Buffer, declaredType: string | undefined): Favicon | null {
  const type = (declaredType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  // Only images: an HTML error page served at /favicon.ico is not an icon.
  if (body.length === 0 || body.length > MAX_FAVICON_BYTES || !type.startsWith('image/')) return null;
  return { body, contentType: type, ext: EXTENSIONS[type] ?? 'img' };
}

/** Null when the page has no usable icon; failures are not errors (most pages lose nothing). */
export async function captureFavicon(page: Page, url: string): Promise<Favicon | null> {
  if (url.startsWith('data:')) {
    const match = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(url);
    if (!match) return null;
    const data = match[2] ? Buffer.from(match[3] ?? '', 'base64') : Buffer.from(decodeURIComponent(match[3] ?? ''));
    return favicon(data, match[1]);
  }
  if (!/^https?:/i.test(url)) return null;
  const session = await page.createCDPSession();
  try {
    const { frameTree } = await session.send('Page.getFrameTree');
    const { resource } = await session.send('Network.loadNetworkResource', {
      frameId: frameTree.frame.id,
      url,
      options: { disableCache: false, includeCredentials: false },
    });
    if (!resource.success || !resource.stream || (resource.httpStatusCode ?? 0) >= 400) return null;
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = await session.send('IO.read', { handle: resource.stream, size: 64 * 1024 });
      const bytes = Buffer.from(chunk.data, chunk.base64Encoded ? 'base64' : 'utf8');
      size += bytes.length;
      if (size > MAX_FAVICON_BYTES) break;
      chunks.push(bytes);
      if (chunk.eof) break;
    }
    await session.send('IO.close', { handle: resource.stream }).catch(() => undefined);
    if (size > MAX_FAVICON_BYTES) return null;
    const headers = (resource.headers ?? {}) as Record<string, string>;
    const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    return favicon(Buffer.concat(chunks), contentType);
  } finally {
    await session.detach().catch(() => undefined);
  }
}
