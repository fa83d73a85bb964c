/** Links: save a URL (which queues its first capture) and read a saved link. */
import { z } from 'zod';
import type { LinksService } from '../domain/links.service.js';
import { userIdOf } from '../http/auth.js';
import { fastSerialized } from '../http/serializers.js';
import { documented, linkCreated, linkView } from './response.schemas.js';
import type { ZodApp } from './types.js';

const createLink = z.object({
  url: z.string().min(1).max(4096),
  tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
});

const idParams = z.object({ id: z.string() });

export function linksRoutes(app: ZodApp, links: LinksService): void {
  // POST /v1/links
  // The busiest write: the compiled serializer.
  const created = fastSerialized(
    documented(linkCreated, 'Saved; its first capture is queued', {
      Location: { description: 'The capture job to poll: `/v1/jobs/{snapshotId}`' },
    }),
  );
  app.post('/v1/links', { schema: { body: createLink, response: { 202: created } } }, async (request, reply) => {
    const result = await links.create(userIdOf(request), request.body, String(request.id));
    return reply.status(202).header('Location', `/v1/jobs/${result.snapshot.id}`).send(result);
  });

  // GET /v1/links/{id}
  app.get(
    '/v1/links/:id',
    {
      schema: {
        params: idParams,
        response: { 200: documented(linkView, 'The link with its tags and latest snapshot') },
      },
    },
    async (request) => links.get(userIdOf(request), request.params.id),
  );
}
