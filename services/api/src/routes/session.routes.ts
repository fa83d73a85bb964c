import { z } from 'zod';
import type { UsersService } from '../domain/users.service.js';
import { userIdOf } from '../http/auth.js';
import { clearSessionCookies, setSessionCookies } from '../http/session-cookie.js';
import type { LoginLimits } from './auth.routes.js';
import { currentUser, documented, noContent } from './response.schemas.js';
import type { ZodApp } from './types.js';

const credentials = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
});

export interface SessionOptions {
  ttlSeconds: number;
  limits?: LoginLimits;
}

/** Public routes: outside the authenticated scope. */
export function sessionRoutes(app: ZodApp, users: UsersService, options: SessionOptions): void {
  // POST /v1/auth/session
  const signedIn = documented(currentUser, 'Signed in', {
    'Set-Cookie': { description: 'The httpOnly session cookie and the `csrf` cookie to echo in X-CSRF-Token' },
  });
  app.post(
    '/v1/auth/session',
    { schema: { security: [], body: credentials, response: { 200: signedIn } } },
    async (request, reply) => {
      await options.limits?.perIp.consume(request);
      await options.limits?.perAccount.check(request);
      try {
        const session = await users.login(request.body.email, request.body.password);
        setSessionCookies(request, reply, session.token, options.ttlSeconds);
        reply.header('Cache-Control', 'no-store');
        return { user: session.user };
      } catch (err) {
        await options.limits?.perAccount.hit(request);
        throw err;
      }
    },
  );

  // DELETE /v1/auth/session
  const signedOut = noContent('Signed out; both cookies cleared');
  app.delete('/v1/auth/session', { schema: { security: [], response: { 204: signedOut } } }, async (request, reply) => {
    clearSessionCookies(request, reply);
    return reply.status(204).send();
  });
}

/** Authenticated routes: registered inside the scope that runs the auth hook. */
export function meRoutes(app: ZodApp, users: UsersService): void {
  // GET /v1/auth/me
  app.get(
    '/v1/auth/me',
    { schema: { response: { 200: documented(currentUser, 'The signed-in user') } } },
    async (request, reply) => {
      const user = await users.me(userIdOf(request));
      reply.header('Cache-Control', 'no-store');
      return { user };
    },
  );
}
