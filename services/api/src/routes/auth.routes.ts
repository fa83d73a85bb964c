/**
 * Sign-up and login: the only /v1 routes without a bearer token. Login is rate limited per
 * client IP (every attempt) and per account (failed attempts), so guessing is slow either way;
 * sign-up per client IP, and DISABLE_SIGNUPS closes it (the service decides).
 */
import { z } from 'zod';
import type { UsersService } from '../domain/users.service.js';
import type { RateLimiter } from '../http/rate-limit.js';
import { documented, sessionView } from './response.schemas.js';
import type { ZodApp } from './types.js';

const credentials = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
});

export interface LoginLimits {
  perIp: RateLimiter;
  perAccount: RateLimiter;
  /** Sign-up attempts per client IP. */
  signupPerIp?: RateLimiter;
}

const signupState = z.object({ open: z.boolean() });

export function authRoutes(app: ZodApp, users: UsersService, limits?: LoginLimits): void {
  // POST /v1/auth/signup
  app.post(
    '/v1/auth/signup',
    {
      schema: {
        security: [],
        body: credentials,
        response: { 201: documented(sessionView, 'Signed up and signed in') },
      },
    },
    async (request, reply) => {
      await limits?.signupPerIp?.consume(request);
      const session = await users.signup(request.body.email, request.body.password);
      return reply.status(201).send(session);
    },
  );

  // GET /v1/auth/signup — whether the sign-up form should be shown
  app.get(
    '/v1/auth/signup',
    { schema: { security: [], response: { 200: documented(signupState, 'Whether visitors may sign up now') } } },
    async (_request, reply) => {
      reply.header('Cache-Control', 'no-store');
      return { open: await users.signupsOpen() };
    },
  );

  // POST /v1/auth/login
  app.post(
    '/v1/auth/login',
    { schema: { security: [], body: credentials, response: { 200: documented(sessionView, 'Signed in') } } },
    async (request) => {
      await limits?.perIp.consume(request);
      await limits?.perAccount.check(request);
      try {
        return await users.login(request.body.email, request.body.password);
      } catch (err) {
        await limits?.perAccount.hit(request);
        throw err;
      }
    },
  );
}
