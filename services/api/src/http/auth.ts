/**
 * Bearer authentication for every /v1 route except sign-up and login: either a session JWT
 * or a named API key (`lsk_…`). Anything else — missing, malformed, forged, expired, revoked —
 * is 401 UNAUTHENTICATED.
 */
import { AppError } from '@linksnap/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type ApiKeysService, looksLikeApiKey } from '../domain/api-keys.service.js';
import type { TokenService } from '../domain/tokens.js';
import { cookieToken } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyRequest {
    userId: string | null;
  }
}

/** The user id behind the request's credentials; throws UNAUTHENTICATED. */
export async function authenticate(
  request: FastifyRequest,
  tokens: TokenService,
  apiKeys?: ApiKeysService,
): Promise<string> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
  // No Authorization header at all: the web UI's session cookie (CSRF-checked) may stand in.
  const token = match?.[1] ?? (header === undefined ? cookieToken(request) : undefined);
  if (!token) throw new AppError('UNAUTHENTICATED', 'Send Authorization: Bearer <token>.');
  return apiKeys && looksLikeApiKey(token) ? apiKeys.authenticate(token) : tokens.verify(token);
}

export function registerAuth(app: FastifyInstance, tokens: TokenService, apiKeys?: ApiKeysService): void {
  app.decorateRequest('userId', null);
  app.addHook('onRequest', async (request) => {
    request.userId = await authenticate(request, tokens, apiKeys);
  });
}

/** The authenticated user's id (the hook guarantees it inside protected routes). */
export function userIdOf(request: FastifyRequest): string {
  if (!request.userId) throw new AppError('UNAUTHENTICATED');
  return request.userId;
}
