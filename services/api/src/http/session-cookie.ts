/**
 * Browser sessions for the web UI: the JWT lives in an httpOnly, SameSite=Lax cookie, and
 * state-changing requests authenticated by that cookie must echo the non-httpOnly `csrf`
 * cookie in `X-CSRF-Token` (double-submit). Bearer requests never look at cookies.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '@linksnap/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cameOverTls } from './helmet.js';

export const SESSION_COOKIE = 'linksnap_session';
export const CSRF_COOKIE = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

type CookieJar = Record<string, string | undefined>;
const cookiesOf = (request: FastifyRequest): CookieJar =>
  ((request as { cookies?: CookieJar }).cookies ?? {}) as CookieJar;

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The session token from the cookie, or undefined when there is none. Unsafe methods must
 * carry the CSRF token: a session cookie without it is FORBIDDEN, never silently accepted.
 */
export function cookieToken(request: FastifyRequest): string | undefined {
  const cookies = cookiesOf(request);
  const token = cookies[SESSION_COOKIE];
  if (!token) return undefined;
  if (!SAFE_METHODS.has(request.method)) {
    const expected = cookies[CSRF_COOKIE];
    const sent = request.headers[CSRF_HEADER];
    if (!expected || typeof sent !== 'string' || !sameSecret(expected, sent)) {
      throw new AppError('FORBIDDEN', 'Send the csrf cookie value in the X-CSRF-Token header.');
    }
  }
  return token;
}

export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, token: string, ttlSeconds: number) {
  const base = { path: '/', sameSite: 'lax' as const, secure: cameOverTls(request), maxAge: ttlSeconds };
  reply.setCookie(SESSION_COOKIE, token, { ...base, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, randomBytes(24).toString('base64url'), { ...base, httpOnly: false });
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply) {
  const base = { path: '/', sameSite: 'lax' as const, secure: cameOverTls(request) };
  reply.clearCookie(SESSION_COOKIE, { ...base, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, base);
}
