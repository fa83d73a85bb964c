/** Links beyond saving: list and search, edit, delete, and snapshot versions. */
import { SNAPSHOT_STATES } from '@linksnap/shared';
import { z } from 'zod';
import type { LinksService } from '../domain/links.service.js';
import type { LinksAdminService } from '../domain/links-admin.service.js';
import type { LinksQueryService } from '../domain/links-query.service.js';
import { userIdOf } from '../http/auth.js';
import type { ZodApp } from './types.js';

const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const tagName = z.string().trim().min(1).max(64);

const listQuery = z.object({
  cursor: z.string().min(1).max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  match: z.enum(['all', 'any']).default('all'),
  status: z.enum(SNAPSHOT_STATES).optional(),
  q: z.string().max(500).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

const patchLink = z
  .object({
    title: z.string().max(2000).nullable().optional(),
    description: z.string().max(20_000).nullable().optional(),
    tags: z.array(tagName).max(100).optional(),
    addTags: z.array(tagName).max(100).optional(),
    removeTags: z.array(tagName).max(100).optional(),
  })
  .strict();

const idParams = z.object({ id: z.string() });

export interface LinksManageServices {
  links: LinksService;
  query: LinksQueryService;
  admin: LinksAdminService;
}

export function linksManageRoutes(app: ZodApp, { links, query, admin }: LinksManageServices): void {
  // GET /v1/links
  app.get('/v1/links', { schema: { querystring: listQuery } }, async (request) => {
    const { tag, from, to, ...rest } = request.query;
    return query.list(userIdOf(request), {
      ...rest,
      tag: tag === undefined ? [] : Array.isArray(tag) ? tag : [tag],
      from: from ? new Date(from) : undefined,
      to: to ? new Date(to) : undefined,
    });
  });

  // PATCH /v1/links/{id}
  app.patch('/v1/links/:id', { schema: { params: idParams, body: patchLink } }, async (request) => {
    await admin.update(userIdOf(request), request.params.id, request.body);
    return links.get(userIdOf(request), request.params.id);
  });

  // DELETE /v1/links/{id}
  app.delete('/v1/links/:id', { schema: { params: idParams } }, async (request, reply) => {
    await admin.delete(userIdOf(request), request.params.id);
    return reply.status(204).send();
  });

  // POST /v1/links/{id}/snapshots
  app.post('/v1/links/:id/snapshots', { schema: { params: idParams } }, async (request, reply) => {
    const snapshot = await links.capture(userIdOf(request), request.params.id, String(request.id));
    return reply.status(202).header('Location', `/v1/jobs/${snapshot.id}`).send({ snapshot });
  });

  // GET /v1/links/{id}/snapshots
  app.get('/v1/links/:id/snapshots', { schema: { params: idParams } }, async (request) => {
    const link = await links.get(userIdOf(request), request.params.id);
    return { items: await admin.versions(link.id) };
  });

  // DELETE /v1/snapshots/{id}
  app.delete('/v1/snapshots/:id', { schema: { params: idParams } }, async (request, reply) => {
    await admin.deleteSnapshot(userIdOf(request), request.params.id);
    return reply.status(204).send();
  });
}
