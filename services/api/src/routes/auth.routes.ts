/** Sign-up and login: the only /v1 routes without a bearer token. */
import { z } from 'zod';
import type { UsersService } from '../domain/users.service.js';
import type { ZodApp } from './types.js';

const credentials = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
});

export function authRoutes(app: ZodApp, users: UsersService): void {
  // POST /v1/auth/signup
  app.post('/v1/auth/signup', { schema: { body: credentials } }, async (request, reply) => {
    const session = await users.signup(request.body.email, request.body.password);
    return reply.status(201).send(session);
  });

  // POST /v1/auth/login
  app.post('/v1/auth/login', { schema: { body: credentials } }, async (request) =>
    users.login(request.body.email, request.body.password),
  );
}
