/**
 * Applies Idempotency-Key to the POST routes that create captures, which say so in their own
 * options (`config: { idempotent: true }`). The first response (status, body, Location) is
 * stored; 5xx responses release the key so a retry runs again.
 */
import { AppError } from '@linksnap/shared';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { type IdempotencyService, requestHash } from '../domain/idempotency.service.js';
import { userIdOf } from '../http/auth.js';
import { addRouteHook } from '../http/route-hooks.js';
import type { ZodApp } from './types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Honours Idempotency-Key: a retry with the same key replays the first response. */
    idempotent?: boolean;
  }
}

const claimed = new WeakMap<FastifyRequest, { userId: string; key: string }>();

/**
 * Register at the start of the scope, like authentication: the hooks become those of the routes
 * marked idempotent only (none of the other routes pays for them), whichever file adds them.
 */
export function registerIdempotency(app: ZodApp, service: IdempotencyService): void {
  const idempotent = (_method: string, _url: string, route: RouteOptions) => route.config?.idempotent === true;
  addRouteHook(app, 'preHandler', idempotent, async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (!key || key.length > 255) {
      throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 characters.', {
        errors: [{ pointer: '/headers/idempotency-key', detail: 'must be 1 to 255 characters' }],
      });
    }
    const userId = userIdOf(request);
    const path = request.url.split('?')[0] ?? '';
    const admission = await service.admit(userId, key, requestHash(request.method, path, request.body));
    if (admission.kind === 'replay') {
      const { response } = admission;
      reply.status(admission.status).header('Idempotent-Replayed', 'true');
      if (response.location) reply.header('Location', response.location);
      if (response.contentType) reply.type(response.contentType);
      return reply.send(response.body);
    }
    claimed.set(request, { userId, key });
  });

  addRouteHook(app, 'onSend', idempotent, async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const claim = claimed.get(request);
    if (!claim) return payload;
    claimed.delete(request);
    if (reply.statusCode >= 500) {
      await service.release(claim.userId, claim.key);
      return payload;
    }
    let body: unknown = payload;
    try {
      body = typeof payload === 'string' ? JSON.parse(payload) : payload;
    } catch {
      // kept as text
    }
    const location = reply.getHeader('location');
    const contentType = reply.getHeader('content-type');
    await service.complete(claim.userId, claim.key, reply.statusCode, {
      body,
      location: typeof location === 'string' ? location : undefined,
      contentType: typeof contentType === 'string' ? contentType : undefined,
    });
    return payload;
  });
}
