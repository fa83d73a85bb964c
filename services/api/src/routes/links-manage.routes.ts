/** Links beyond saving: list and search, edit, delete, and snapshot versions. */
import { SNAPSHOT_STATES } from '@linksnap/shared';
import { z } from 'zod';
import type { LinksService } from '../domain/links.service.js';
import type { LinksAdminService } from '../domain/links-admin.service.js';
import type { LinksQueryService } from '../domain/links-query.service.js';
import { userIdOf } from '../http/auth.js';
import { documented, itemsOf, linkPage, linkView, noContent, snapshotQueued, versionView } from './response.schemas.js';
import type { ZodApp } from './types.js';

const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const tagName = z.string().trim().min(1).max(64);

const listQuery = z.object({
  cursor: z.string().min(1).max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  match: z.enum(['all', 'any']).default('all'),
  status: z.enum(SNAPSHOT_STATES).optional(),
  // Longer than the parser takes (500) so an over-long query gets INVALID_QUERY, not a schema error.
  q: z.string().max(20_000).optional(),
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
  app.get(
    '/v1/links',
    {
      schema: {
        querystring: listQuery,
        response: { 200: documented(linkPage, 'A page of links, newest first (best match first when searching)') },
      },
    },
    async (request) => {
      const { tag, from, to, ...rest } = request.query;
      return query.list(userIdOf(request), {
        ...rest,
        tag: tag === undefined ? [] : Array.isArray(tag) ? tag : [tag],
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      });
    },
  );

  // PATCH /v1/links/{id}
  const patched = documented(linkView, 'The edited link');
  app.patch(
    '/v1/links/:id',
    { schema: { params: idParams, body: patchLink, response: { 200: patched } } },
    async (request) => {
      await admin.update(userIdOf(request), request.params.id, request.body);
      return links.get(userIdOf(request), request.params.id);
    },
  );

  // DELETE /v1/links/{id}
  const linkDeleted = noContent('Deleted with every snapshot and stored object');
  app.delete(
    '/v1/links/:id',
    { schema: { params: idParams, response: { 204: linkDeleted } } },
    async (request, reply) => {
      await admin.delete(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );

  // POST /v1/links/{id}/snapshots
  const queued = documented(snapshotQueued, 'A new capture (version) is queued', {
    Location: { description: 'The capture job to poll: `/v1/jobs/{snapshotId}`' },
  });
  app.post(
    '/v1/links/:id/snapshots',
    { schema: { params: idParams, response: { 202: queued } } },
    async (request, reply) => {
      const snapshot = await links.capture(userIdOf(request), request.params.id, String(request.id));
      return reply.status(202).header('Location', `/v1/jobs/${snapshot.id}`).send({ snapshot });
    },
  );

  // GET /v1/links/{id}/snapshots
  const versions = documented(itemsOf(versionView), 'Every version, newest first');
  app.get('/v1/links/:id/snapshots', { schema: { params: idParams, response: { 200: versions } } }, async (request) => {
    const link = await links.get(userIdOf(request), request.params.id);
    return { items: await admin.versions(link.id) };
  });

  // DELETE /v1/snapshots/{id}
  const snapshotDeleted = noContent('Deleted with its stored objects');
  app.delete(
    '/v1/snapshots/:id',
    { schema: { params: idParams, response: { 204: snapshotDeleted } } },
    async (request, reply) => {
      await admin.deleteSnapshot(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}
