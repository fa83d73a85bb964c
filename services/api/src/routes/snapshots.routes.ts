/**
 * Snapshots and their artifacts. Archived pages are hostile content: they are served
 * sandboxed, never sniffed, and MHTML only as a download.
 */
import { z } from 'zod';
import type { SnapshotsService } from '../domain/snapshots.service.js';
import { userIdOf } from '../http/auth.js';
import type { ZodApp } from './types.js';

const ARCHIVED_PAGE_KINDS = new Set(['html', 'mhtml', 'readable']);

export function snapshotsRoutes(app: ZodApp, snapshots: SnapshotsService): void {
  // GET /v1/snapshots/{id}
  app.get('/v1/snapshots/:id', { schema: { params: z.object({ id: z.string() }) } }, async (request) =>
    snapshots.get(userIdOf(request), request.params.id),
  );

  // GET /v1/snapshots/{id}/artifacts/{kind}
  app.get(
    '/v1/snapshots/:id/artifacts/:kind',
    { schema: { params: z.object({ id: z.string(), kind: z.string() }) } },
    async (request, reply) => {
      const { id, kind } = request.params;
      const { artifact, body } = await snapshots.openArtifact(userIdOf(request), id, kind);
      reply
        .header('Content-Type', artifact.contentType)
        .header('Content-Length', String(artifact.bytes))
        .header('ETag', `"${artifact.sha256}"`)
        .header('X-Content-Type-Options', 'nosniff');
      if (ARCHIVED_PAGE_KINDS.has(kind)) {
        reply.header('Content-Security-Policy', 'sandbox').header('Cross-Origin-Resource-Policy', 'same-origin');
      }
      if (kind === 'mhtml') reply.header('Content-Disposition', `attachment; filename="${id}.mhtml"`);
      return reply.send(body);
    },
  );
}
