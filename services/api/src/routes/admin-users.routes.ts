/**
 * Accounts created by an admin (the instance's first account, or an email in ADMIN_EMAILS):
 * how people get in when DISABLE_SIGNUPS closes public sign-up. The admin hands the password
 * over; nothing is mailed.
 */
import { z } from 'zod';
import type { UsersService } from '../domain/users.service.js';
import { userIdOf } from '../http/auth.js';
import { documented, userView } from './response.schemas.js';
import type { ZodApp } from './types.js';

const newAccount = z.object({
  email: z.email().max(254),
  password: z.string().min(8).max(1024),
});

export function adminUsersRoutes(app: ZodApp, users: UsersService): void {
  // POST /v1/admin/users
  app.post(
    '/v1/admin/users',
    { schema: { body: newAccount, response: { 201: documented(z.object({ user: userView }), 'Account created') } } },
    async (request, reply) => {
      const user = await users.createByAdmin(userIdOf(request), request.body.email, request.body.password);
      return reply.status(201).send({ user });
    },
  );
}
