/**
 * Browser hardening headers on every response, written by @fastify/helmet: the app's CSP
 * everywhere, a relaxed one on the API reference and the queue dashboard (route-level helmet
 * options, given by URL as their plugins add the routes). Two headers stay ours: helmet has no
 * Permissions-Policy, and its HSTS is unconditional where ours is only sent over TLS.
 * Helmet writes on the raw response: a route's own `reply.header` wins over it, but only
 * `allowFraming` (not `reply.removeHeader`) takes its X-Frame-Options away.
 */
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type Directives = Record<string, string[]>;

const APP_CSP: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
};

/** The API reference and the queue dashboard need inline styles and data: images; only there. */
const DOCS_CSP: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  // bull-board's page resolves its assets against <base href="/admin/queues/">.
  'base-uri': ["'self'"],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
};

/** useDefaults false: helmet's own default directives (https: styles, upgrade-insecure-requests…) are not ours. */
const csp = (directives: Directives) => ({ useDefaults: false, directives });

const HELMET: FastifyHelmetOptions = {
  contentSecurityPolicy: csp(APP_CSP),
  // Off (helmet's default too, said here so no upgrade turns it on): require-corp would block
  // the replay player's and the viewer's cross-origin embeds.
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: { policy: 'same-origin' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  referrerPolicy: { policy: 'no-referrer' },
  xFrameOptions: { action: 'deny' },
  // Kept: an archived page's <link rel="dns-prefetch"> must not reach the live web either.
  xDnsPrefetchControl: { allow: false },
  // Ours below: only over TLS.
  strictTransportSecurity: false,
  // Not sent (see the commit that introduced helmet): the app and the archive listener are
  // same-site origins whose agent clustering we leave to the browser; the others address
  // clients that no longer exist (IE8's downloads, Flash and Acrobat policy files, the XSS
  // auditor); Fastify sends no X-Powered-By to hide.
  originAgentCluster: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  xPoweredBy: false,
};

const DOCS_HELMET = { ...HELMET, contentSecurityPolicy: csp(DOCS_CSP) };

const RELAXED = ['/docs', '/admin/queues'];
const isDocs = (url: string) => RELAXED.some((p) => url === p || url.startsWith(`${p}/`));

const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), interest-cohort=()';
const HSTS = 'max-age=31536000; includeSubDomains';

/** Over TLS, or through a trusted proxy (TRUST_PROXY) whose X-Forwarded-Proto says so. */
export const cameOverTls = (request: FastifyRequest) => request.protocol.toLowerCase() === 'https';

/** Before any route: the onRoute hook must see the docs' and the dashboard's routes added. */
export function registerHelmet(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    // Into the route's config, where the plugin reads it per request, whichever onRoute runs first.
    if (isDocs(route.url)) route.config = { ...route.config, helmet: DOCS_HELMET } as typeof route.config;
  });
  app.register(helmet, HELMET);
  // A callback hook, not an async one: it runs on every request and never waits.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('Permissions-Policy', PERMISSIONS_POLICY);
    if (cameOverTls(request)) reply.header('Strict-Transport-Security', HSTS);
    done();
  });
}

/**
 * For a response framed by the origins its CSP frame-ancestors names: X-Frame-Options can name
 * none but its own, so it goes, from the raw response where helmet wrote it.
 */
export function allowFraming(reply: FastifyReply): void {
  reply.removeHeader('X-Frame-Options');
  reply.raw.removeHeader('X-Frame-Options');
}
