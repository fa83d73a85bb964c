/**
 * Serves the built web UI (services/api/web/dist): fingerprinted assets cached forever,
 * index.html never cached, and an SPA fallback for page navigations (GET, Accept: text/html)
 * outside the API's own paths. API paths, and clients that do not ask for HTML, keep their
 * problem+json 404s. Without a build, nothing is registered.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { AppError } from '@linksnap/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Paths that belong to the API: never answered with the UI. */
const API_PATHS = /^\/(v1|healthz|readyz|metrics|docs|archive|replay|replay-player)(\/|$)/;

/**
 * The UI page needs a little more than the API's default CSP: snapshot images, the PDF
 * <embed> and the sandboxed archive <iframe> all come from this origin.
 */
const uiCsp = (archiveOrigin: string) =>
  [
    "default-src 'self'",
    `img-src 'self' data: blob:${archiveOrigin}`,
    "object-src 'self' blob:",
    // The archive origin serves archived pages and the replay player the viewer frames.
    `frame-src 'self' blob:${archiveOrigin}`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');

/** The archive origin the UI loads signed URLs from, for this request ('' = the app's own). */
export type ArchiveOriginOf = (request: FastifyRequest) => string;

function uiCspFor(request: FastifyRequest, archiveOriginOf?: ArchiveOriginOf): string {
  const origin = archiveOriginOf?.(request);
  return uiCsp(origin ? ` ${origin}` : '');
}

export function registerWeb(app: FastifyInstance, dist: string = WEB_DIST, archiveOriginOf?: ArchiveOriginOf): void {
  const indexFile = path.join(dist, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ dist }, 'web UI not built: run `pnpm --filter @linksnap/api build:web`');
    return;
  }
  app.register(fastifyStatic, {
    root: path.join(dist, 'assets'),
    prefix: '/assets/',
    index: false,
    wildcard: true,
    cacheControl: false,
    setHeaders: (reply) => reply.header('Cache-Control', 'public, max-age=31536000, immutable'),
  });

  const sendIndex = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    // Only page navigations fall back to the UI; API clients keep their problem+json 404.
    const wantsPage = pathname === '/' || String(request.headers.accept ?? '').includes('text/html');
    if (!wantsPage || API_PATHS.test(pathname) || pathname.startsWith('/assets/')) {
      throw new AppError('NOT_FOUND', `No route for ${request.method} ${pathname}.`);
    }
    return reply
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', uiCspFor(request, archiveOriginOf))
      .type('text/html; charset=utf-8')
      .send(await readFile(indexFile));
  };
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/*', { schema: { hide: true } }, sendIndex);
  registerAppShell(app, dist);
}

/** Root-level files of the installable app (web/public): the service worker needs scope `/`. */
const SHELL_FILES: Record<string, string> = {
  '/manifest.webmanifest': 'application/manifest+json',
  '/sw.js': 'text/javascript; charset=utf-8',
};

/** The web app manifest, the service worker and the icons, as built into dist by Vite. */
function registerAppShell(app: FastifyInstance, dist: string): void {
  for (const [route, type] of Object.entries(SHELL_FILES)) {
    const file = path.join(dist, route.slice(1));
    if (!existsSync(file)) continue;
    app.get(route, { schema: { hide: true } }, async (_request, reply) =>
      // Never cached: a new service worker or manifest must reach installed apps.
      reply
        .header('Cache-Control', 'no-cache')
        .type(type)
        .send(await readFile(file)),
    );
  }
  const icons = path.join(dist, 'icons');
  if (!existsSync(icons)) return;
  const names = new Set(readdirSync(icons).filter((name) => name.endsWith('.png')));
  app.get('/icons/:name', { schema: { hide: true } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!names.has(name)) throw new AppError('NOT_FOUND', `No icon ${name}.`);
    return reply
      .header('Cache-Control', 'public, max-age=86400')
      .type('image/png')
      .send(await readFile(path.join(icons, name)));
  });
}
