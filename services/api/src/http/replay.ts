/**
 * Offline replay of a snapshot's WACZ with ReplayWeb.page, served entirely by this API on the
 * archive origin (ARCHIVE_ORIGIN, or by default the archive listener on ARCHIVE_PORT): its two prebuilt bundles under /replay/ (the service
 * worker's scope) and a player page per snapshot. The player page carries the signature of the
 * snapshot's `wacz` URL, checks it, and hands that URL to ReplayWeb.page as its source; the
 * page, the bundles and the service worker may only reach this origin (CSP), so a replay can
 * never touch the live web. See docs/decisions/0009-offline-replay.md.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ArchiveLinks } from '../domain/archive-links.js';
import { idParams } from '../routes/params.js';
import type { ZodApp } from '../routes/types.js';
import type { ArchiveSite } from './archive-site.js';
import { allowFraming } from './helmet.js';

/** Scope of ReplayWeb.page's service worker: the bundles live here, the player outside it. */
export const REPLAY_BASE = '/replay/';

/**
 * The one service worker script this scope installs: what the embed registers (wabac reads its
 * query; serveIndex=1 makes it serve the player app at /replay/). The app opened on its own
 * registers `sw.js?injectScripts=ruffle…` unless its URL says `embed`; a registration under
 * another script URL installs a second worker that replaces the first under every open replay,
 * and Chromium then left the old one starting and navigations hanging (issue 14). Every other
 * script URL is answered with a redirect, which fails that registration (a worker script may
 * not redirect) and leaves the installed worker alone, where a 404 would make the app's
 * localhost check unregister it.
 */
const REPLAY_WORKER = `${REPLAY_BASE}sw.js?serveIndex=1`;

/** The package exports only a few paths; index.html is one, and the bundles sit beside it. */
function replayBundles(): { ui: Buffer; sw: Buffer } {
  const dir = path.dirname(createRequire(import.meta.url).resolve('replaywebpage/index.html'));
  return { ui: readFileSync(path.join(dir, 'ui.js')), sw: readFileSync(path.join(dir, 'sw.js')) };
}

/**
 * Same origin only. 'wasm-unsafe-eval': wabac hashes and decompresses with WebAssembly.
 * Inline styles: ReplayWeb.page's components set them. frame-ancestors: the app's viewer frames
 * the player from the app's origin (ArchiveSite.frameAncestors; the player shows nothing without
 * its short-lived signature).
 */
export function replayCsp(frameAncestors: string): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

const escapeAttr = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** wabac's timestamps: 14 digits, UTC. */
const replayTimestamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);

export function playerHtml(options: { source: string; url: string | null; capturedAt: Date | null; coll: string }) {
  const attrs = [
    `source="${escapeAttr(options.source)}"`,
    `replaybase="${REPLAY_BASE}"`,
    'embed="replayonly"',
    // Where the service worker sends a replayed page opened on its own (a new tab, a reload of
    // the frame): without it, that is https://replayweb.page/ on the live web. Ours is the
    // player app beside the bundles, which reads `?source=` and replays offline.
    `newwindowbase="${REPLAY_BASE}"`,
    `coll="${escapeAttr(options.coll)}"`,
    options.url ? `url="${escapeAttr(options.url)}"` : '',
    options.capturedAt ? `ts="${replayTimestamp(options.capturedAt)}"` : '',
  ].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Replay${options.url ? ` · ${escapeAttr(options.url)}` : ''}</title>
<link rel="icon" href="data:,">
<style>html, body { margin: 0; height: 100%; } replay-web-page { height: 100vh; }</style>
<script src="${REPLAY_BASE}ui.js"></script>
</head>
<body>
<replay-web-page ${attrs.join(' ')}></replay-web-page>
</body>
</html>
`;
}

const REPLAY_INDEX = `<!doctype html>
<html><head><script src="./ui.js"></script></head>
<body><replay-app-main></replay-app-main></body></html>
`;

function sendBundle(reply: FastifyReply, body: Buffer, csp: string) {
  return reply
    .type('text/javascript; charset=utf-8')
    .header('Cache-Control', 'public, max-age=3600')
    .header('Content-Security-Policy', csp)
    .send(body);
}

export function replayRoutes(app: ZodApp, archive: ArchiveLinks, site: ArchiveSite): void {
  const bundles = replayBundles();
  const cspOf = (request: FastifyRequest) => replayCsp(site.frameAncestors(request));

  // GET /replay/ui.js, GET /replay/sw.js — ReplayWeb.page's bundles (the worker's CSP is this one).
  app.get(`${REPLAY_BASE}ui.js`, { schema: { hide: true } }, (request, reply) =>
    sendBundle(reply, bundles.ui, cspOf(request)),
  );
  // One worker per scope: any other script URL installed here replaces it under every open replay.
  app.get(`${REPLAY_BASE}sw.js`, { schema: { hide: true } }, (request, reply) => {
    if (request.url !== REPLAY_WORKER) return reply.redirect(REPLAY_WORKER, 302);
    return sendBundle(reply, bundles.sw, cspOf(request));
  });

  // GET /replay/ — what the service worker itself serves there once it controls the frame; served
  // here too so the player's first load, before the worker has claimed it, finds the app.
  app.get(REPLAY_BASE, { schema: { hide: true } }, (request, reply) => {
    allowFraming(reply);
    return reply
      .type('text/html; charset=utf-8')
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', cspOf(request))
      .send(REPLAY_INDEX);
  });

  // GET /replay-player/{snapshotId}?exp=…&sig=… — the signature is the credential, as on /archive.
  app.get(
    '/replay-player/:id',
    {
      schema: {
        hide: true,
        params: idParams,
        querystring: z.object({ exp: z.string().optional(), sig: z.string().optional() }),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { exp, sig } = request.query;
      archive.verify(id, 'wacz', exp, sig);
      const target = await archive.replayTarget(id);
      // The service worker pastes the source unencoded into the URL of a replayed page opened on
      // its own (newwindowbase): there, everything after the source's first `&` becomes a
      // parameter of the player app. So the credential is one parameter (`s`), and `embed` rides
      // along for the app: with it, the app registers the worker as the embed does
      // (sw.js?serveIndex=1). Without it, it registers plain sw.js, and every switch between
      // the two replaced the worker under open replays, leaving players blank (the archive route
      // ignores the extra parameter).
      const source = `/archive/${id}/wacz?s=${exp}.${sig}&embed=replayonly`;
      allowFraming(reply);
      return reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .header('Content-Security-Policy', cspOf(request))
        .header('Referrer-Policy', 'no-referrer')
        .send(playerHtml({ source, ...target, coll: `snapshot-${id}` }));
    },
  );
}
