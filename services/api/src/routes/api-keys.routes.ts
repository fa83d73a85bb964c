/** Named API keys for scripts: created (key shown once), listed (never the key), revoked. */
import { z } from 'zod';
import type { ApiKeysService } from '../domain/api-keys.service.js';
import { userIdOf } from '../http/auth.js';
import { idParams } from './params.js';
import { apiKeyCreated, apiKeyView, documented, itemsOf, noContent } from './response.schemas.js';
import type { ZodApp } from './types.js';

export function apiKeysRoutes(app: ZodApp, keys: ApiKeysService): void {
  // POST /v1/api-keys
  app.post(
    '/v1/api-keys',
    {
      schema: {
        body: z.object({ name: z.string().trim().min(1).max(100) }),
        response: { 201: documented(apiKeyCreated, 'The new key; `key` is shown only this once') },
      },
    },
    async (request, reply) => reply.status(201).send(await keys.create(userIdOf(request), request.body.name)),
  );

  // GET /v1/api-keys
  app.get(
    '/v1/api-keys',
    { schema: { response: { 200: documented(itemsOf(apiKeyView), 'The keys (never the key itself)') } } },
    async (request) => ({
      items: await keys.list(userIdOf(request)),
    }),
  );

  // DELETE /v1/api-keys/{id}
  app.delete(
    '/v1/api-keys/:id',
    { schema: { params: idParams, response: { 204: noContent('Revoked') } } },
    async (request, reply) => {
      await keys.revoke(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
