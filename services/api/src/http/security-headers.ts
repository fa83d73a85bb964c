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

export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.headers({
      'Content-Security-Policy': isDocs(request.url) ? DOCS_CSP : APP_CSP,
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
    });
    if (cameOverTls(request)) reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  });
}
