/**
 * The fixture web server: every page a test captures comes from here, on 127.0.0.1.
 * Routes are plain handlers; the corpus pages from ../shared/corpus are served read-only.
 */
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type FixtureHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface FixtureServer {
  origin: string;
  host: string;
  port: number;
  /** `127.0.0.1:PORT`, for EGRESS_ALLOW. */
  hostPort: string;
  url(pathname: string): string;
  route(pathname: string, handler: FixtureHandler): void;
  /** How many requests each path received. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** ../shared/corpus beside the checkout (read-only, never edited). */
export const CORPUS_DIR = path.resolve(here, '../../../shared/corpus');

export const SIMPLE_PAGE_TITLE = 'Fixture: a simple article';
export const SIMPLE_PAGE_TEXT = 'The quick brown fox archives the lazy dog';

export function simplePage(title = SIMPLE_PAGE_TITLE, text = SIMPLE_PAGE_TEXT): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="description" content="A fixture page for capture tests.">
<style>body{font-family:sans-serif;margin:40px;background:#fdfdf8} h1{color:#224}</style></head>
<body><article><h1>${title}</h1>
<p>${text}. This paragraph is long enough for a reader view to consider it an article body,
with several sentences that describe nothing in particular but fill the page with words.</p>
<p>Second paragraph: snapshots should keep this text in every artifact that holds text.</p>
</article></body></html>`;
}

export async function startFixtureServer(): Promise<FixtureServer> {
  const routes = new Map<string, FixtureHandler>();
  const hits = new Map<string, number>();
  routes.set('/simple', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(simplePage());
  });
  routes.set('/not-found', (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(simplePage('Fixture: not found', 'This page answers with status 404'));
  });

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://fixture').pathname;
    hits.set(pathname, (hits.get(pathname) ?? 0) + 1);
    const handler = routes.get(pathname);
    if (handler) return handler(req, res);
    const corpus = /^\/corpus\/([a-z0-9-]+)\/?$/.exec(pathname);
    if (corpus) {
      const file = path.join(CORPUS_DIR, 'pages', corpus[1] as string, 'source.html');
      if (existsSync(file)) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such fixture');
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    host: '127.0.0.1',
    port,
    hostPort: `127.0.0.1:${port}`,
    url: (pathname) => `${origin}${pathname}`,
    route: (pathname, handler) => routes.set(pathname, handler),
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port on 127.0.0.1 with nothing listening (for CONNECTION_FAILED cases). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
