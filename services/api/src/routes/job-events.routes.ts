/**
 * GET /v1/jobs/{id}/events: Server-Sent Events for one capture. `state` events carry the job
 * view (first the current one, last the final one, read from PostgreSQL); `progress` events
 * carry {stage, percent}; comment lines keep proxies from timing the stream out. The stream
 * closes after the final state; a finished job gets its final state at once. Just before the
 * final state, `snapshot.changed` or `link.dead` tells what the version changed (as webhooks do).
 */
import { isFinalState } from '@linksnap/shared';
import { z } from 'zod';
import { isChanged } from '../domain/change.js';
import type { JobsService, JobView } from '../domain/jobs.service.js';
import { userIdOf } from '../http/auth.js';
import type { JobEventsHub } from '../queue/job-events.js';
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
        params: z.object({ id: z.string() }),
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
      const send = (event: string, data: unknown) => raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (isFinalState(first.state)) {
        sendChangeEvents(send, first);
        send('state', first);
        raw.end();
        return;
      }

      let done = false;
      let unsubscribe: (() => void) | undefined;
      const timers: NodeJS.Timeout[] = [];
      const finish = () => {
        if (done) return;
        done = true;
        open.delete(finish);
        unsubscribe?.();
        for (const t of timers) clearInterval(t);
        raw.end();
      };
      const checkFinal = async () => {
        if (done) return;
        let view: JobView;
        try {
          view = await jobs.get(userId, id);
        } catch {
          return finish(); // deleted meanwhile
        }
        if (done || !isFinalState(view.state)) return;
        sendChangeEvents(send, view);
        send('state', view);
        finish();
      };
      open.add(finish);
      request.raw.on('close', finish);
      // Subscribe before re-reading, so a result landing in between is not missed.
      unsubscribe = await hub().subscribe(id, (event) => {
        if (event.type === 'progress') send('progress', event.progress);
        else void checkFinal();
      });
      if (done) return unsubscribe();
      send('state', first);
      timers.push(setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs));
      timers.push(setInterval(() => void checkFinal(), pollMs));
      await checkFinal();
    },
  );
}

/** The change the final row carries (stored before the final announcement), as its own event. */
function sendChangeEvents(send: (event: string, data: unknown) => void, view: JobView): void {
  const change = view.snapshot?.change;
  if (!view.snapshot || !change) return;
  const data = { snapshotId: view.snapshot.id, linkId: view.snapshot.linkId, change };
  if (change.status === 'gone') send('link.dead', data);
  else if (isChanged(change)) send('snapshot.changed', data);
}
