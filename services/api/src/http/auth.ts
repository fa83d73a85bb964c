/** Bearer-token authentication for every /v1 route except sign-up and login. */
import { AppError } from '@linksnap/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenService } from '../domain/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    userId: string | null;
  }
}

export function registerAuth(app: FastifyInstance, tokens: TokenService): void {
  app.decorateRequest('userId', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
    if (!match?.[1]) throw new AppError('UNAUTHENTICATED', 'Send Authorization: Bearer <token>.');
    request.userId = await tokens.verify(match[1]);
  });
}

/** The authenticated user's id (the hook guarantees it inside protected routes). */
export function userIdOf(request: FastifyRequest): string {
  if (!request.userId) throw new AppError('UNAUTHENTICATED');
  return request.userId;
}
