/** Job status polling for captures (job id = snapshot id). */
import type { JobsService } from '../domain/jobs.service.js';
import { userIdOf } from '../http/auth.js';
import { fastSerialized } from '../http/serializers.js';
import { idParams } from './params.js';
import { documented, jobView } from './response.schemas.js';
import type { ZodApp } from './types.js';

export function jobsRoutes(app: ZodApp, jobs: JobsService): void {
  // GET /v1/jobs/{id}
  app.get(
    '/v1/jobs/:id',
    {
      schema: {
        params: idParams,
        // Polled by every client waiting for a capture: the compiled serializer.
        response: {
          200: fastSerialized(
            documented(jobView, 'The capture: from BullMQ while running, from PostgreSQL afterwards'),
          ),
        },
      },
    },
    async (request) => jobs.get(userIdOf(request), request.params.id),
  );
}
