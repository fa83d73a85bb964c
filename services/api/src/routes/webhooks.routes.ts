/** Webhooks: register a signed callback for finished snapshots (secret shown once), list, delete. */
import { z } from 'zod';
import { WEBHOOK_EVENTS, type WebhooksService } from '../domain/webhooks.service.js';
import { userIdOf } from '../http/auth.js';
import { idParams } from './params.js';
import { documented, itemsOf, noContent, webhookCreated, webhookView } from './response.schemas.js';
import type { ZodApp } from './types.js';

export function webhooksRoutes(app: ZodApp, webhooks: WebhooksService): void {
  // POST /v1/webhooks
  app.post(
    '/v1/webhooks',
    {
      schema: {
        body: z.object({
          url: z.string().min(1).max(2048),
          events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
        }),
        response: {
          201: documented(webhookCreated, 'Registered; `secret` (for the signatures) is shown only this once'),
        },
      },
    },
    async (request, reply) => reply.status(201).send(await webhooks.create(userIdOf(request), request.body)),
  );

  // GET /v1/webhooks
  app.get(
    '/v1/webhooks',
    { schema: { response: { 200: documented(itemsOf(webhookView), 'The webhooks (never their secrets)') } } },
    async (request) => ({
      items: await webhooks.list(userIdOf(request)),
    }),
  );

  // DELETE /v1/webhooks/{id}
  const deleted = noContent('Deleted');
  app.delete(
    '/v1/webhooks/:id',
    { schema: { params: idParams, response: { 204: deleted } } },
    async (request, reply) => {
      await webhooks.delete(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
