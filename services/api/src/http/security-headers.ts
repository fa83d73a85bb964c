/**
 * Browser hardening headers on every API response. Archived pages override the CSP with
 * `sandbox` on their own routes; HSTS is only sent when the request arrived over TLS.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const APP_CSP = [
  "default-src 'self'",
  "base-uri 'none'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** The API reference and the queue dashboard need inline styles and data: images; only there. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  // bull-board's page resolves its assets against <base href="/admin/queues/">.
  "base-uri 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const RELAXED = ['/docs', '/admin/queues'];
const isDocs = (url: string) => RELAXED.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));

function cameOverTls(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

const COMMON_HEADERS = {
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
};
const APP_HEADERS = { 'Content-Security-Policy': APP_CSP, ...COMMON_HEADERS };
const DOCS_HEADERS = { 'Content-Security-Policy': DOCS_CSP, ...COMMON_HEADERS };

export function registerSecurityHeaders(app: FastifyInstance): void {
  // A callback hook, not an async one: it runs on every request and never waits.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(isDocs(request.url) ? DOCS_HEADERS : APP_HEADERS);
    if (cameOverTls(request)) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    done();
  });
}
