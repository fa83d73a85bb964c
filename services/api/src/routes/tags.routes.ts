/** Tags: list with link counts, create, rename (optionally merging), merge, delete. */
import { z } from 'zod';
import type { TagsService } from '../domain/tags.service.js';
import { userIdOf } from '../http/auth.js';
import { idParams } from './params.js';
import { documented, itemsOf, noContent, tagView } from './response.schemas.js';
import type { ZodApp } from './types.js';

const tagName = z.string().trim().min(1).max(64);

export function tagsRoutes(app: ZodApp, tags: TagsService): void {
  // GET /v1/tags
  app.get(
    '/v1/tags',
    {
      schema: {
        querystring: z.object({ sort: z.enum(['name', 'count']).default('name') }),
        response: { 200: documented(itemsOf(tagView), 'The tags with their link counts') },
      },
    },
    async (request) => ({ items: await tags.list(userIdOf(request), request.query.sort) }),
  );

  // POST /v1/tags
  const created = documented(tagView, 'Created (with no links yet)');
  app.post(
    '/v1/tags',
    { schema: { body: z.object({ name: tagName }), response: { 201: created } } },
    async (request, reply) => reply.status(201).send(await tags.create(userIdOf(request), request.body.name)),
  );

  // PATCH /v1/tags/{id}
  app.patch(
    '/v1/tags/:id',
    {
      schema: {
        params: idParams,
        body: z.object({ name: tagName, merge: z.boolean().default(false) }),
        response: { 200: documented(tagView, 'The renamed tag, or the tag it was merged into') },
      },
    },
    async (request) => tags.rename(userIdOf(request), request.params.id, request.body.name, request.body.merge),
  );

  // POST /v1/tags/{id}/merge
  app.post(
    '/v1/tags/:id/merge',
    {
      schema: {
        params: idParams,
        body: z.object({ into: z.string() }),
        response: { 200: documented(tagView, 'The tag merged into, with its new link count') },
      },
    },
    async (request) => tags.merge(userIdOf(request), request.params.id, request.body.into),
  );

  // DELETE /v1/tags/{id}
  app.delete(
    '/v1/tags/:id',
    { schema: { params: idParams, response: { 204: noContent('Deleted; its links keep their other tags') } } },
    async (request, reply) => {
      await tags.delete(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
