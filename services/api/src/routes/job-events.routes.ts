/**
 * GET /v1/jobs/{id}/events: Server-Sent Events for one capture. `state` events carry the job
 * view (first the current one, last the final one, read from PostgreSQL); `progress` events
 * carry {stage, percent}; comment lines keep proxies from timing the stream out. The stream
 * closes after the final state; a finished job gets its final state at once. Just before the
 * final state, `snapshot.changed` or `link.dead` tells what the version changed (as webhooks do).
 */
import type { JobsService } from '../domain/jobs.service.js';
import { userIdOf } from '../http/auth.js';
import { streamJobEvents } from '../http/job-event-stream.js';
import type { JobEventsHub } from '../queue/job-events.js';
import { idParams } from './params.js';
import { opaqueBody } from './response.schemas.js';
import type { ZodApp } from './types.js';

export interface JobEventsOptions {
  heartbeatMs?: number;
  /** Safety net for a missed notification: the row is re-read this often. */
  pollMs?: number;
}

export function jobEventsRoutes(
  app: ZodApp,
  jobs: JobsService,
  hub: () => JobEventsHub,
  options: JobEventsOptions = {},
) {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const pollMs = options.pollMs ?? 2_000;
  // Open streams end when the server closes, or closing would wait for them.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const finish of open) finish();
  });

  // GET /v1/jobs/{id}/events
  app.get(
    '/v1/jobs/:id/events',
    {
      schema: {
        params: idParams,
        response: {
          200: opaqueBody(
            'Server-Sent Events: `event: state` (the job view, as GET /v1/jobs/{id}) first, `event: progress` ' +
              '({stage, percent}) per stage, then `event: snapshot.changed` or `event: link.dead` ' +
              '({snapshotId, linkId, change}) when the version changed or found the page gone, ' +
              'then the final `event: state` and the stream closes; ' +
              '`: heartbeat` comments keep it open',
            ['text/event-stream'],
          ),
        },
      },
    },
    async (request, reply) => {
      const userId = userIdOf(request);
      const id = request.params.id;
      // Ownership first (404 as problem+json), before any byte of the stream is written.
      const first = await jobs.get(userId, id);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      await streamJobEvents(raw, request.raw, { jobs, hub, userId, id, first, heartbeatMs, pollMs, open });
    },
  );
}
