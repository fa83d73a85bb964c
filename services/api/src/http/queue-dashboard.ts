/**
 * The BullMQ dashboard (bull-board) at /admin/queues, for admins only: the first account of an
 * instance, or an email listed in ADMIN_EMAILS. Anyone else gets 404 problem+json, so the
 * dashboard's existence is not revealed. bull-board installs its own error handler, so the
 * guard answers problems itself instead of throwing.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { AppError } from '@linksnap/shared';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sendProblem, toAppError } from './error-handler.js';

export const DASHBOARD_PATH = '/admin/queues';

export function registerQueueDashboard(
  scope: FastifyInstance,
  options: {
    queues: Queue[];
    /** The instance's first account or one in ADMIN_EMAILS (UsersService.isAdmin). */
    isAdmin: (userId: string) => Promise<boolean>;
    authenticate: (request: FastifyRequest) => Promise<string>;
  },
): void {
  scope.register(async (admin) => {
    admin.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    admin.addHook('onRequest', async (request, reply) => {
      try {
        const allowed = await options.isAdmin(await options.authenticate(request));
        if (!allowed) throw new AppError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`);
      } catch (err) {
        return sendProblem(request, reply, toAppError(err));
      }
    });
    const serverAdapter = new FastifyAdapter();
    serverAdapter.setBasePath(DASHBOARD_PATH);
    createBullBoard({ queues: options.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
    await admin.register(serverAdapter.registerPlugin(), { prefix: DASHBOARD_PATH });
  });
}
