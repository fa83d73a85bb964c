/** Versions that track change: re-capture schedules of links and tags, and diffs of two versions. */
import { z } from 'zod';
import type { SchedulesService } from '../domain/schedules.service.js';
import type { VersionsService } from '../domain/versions.service.js';
import { userIdOf } from '../http/auth.js';
import { idParams } from './params.js';
import { diffView, documented, noContent, opaqueBody, scheduleView } from './response.schemas.js';
import type { ZodApp } from './types.js';

const scheduleBody = z.object({
  every: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .meta({ description: '`daily`, `weekly`, `monthly` (at a time spread per link) or a cron expression in UTC' }),
});
const againstQuery = z.object({
  against: z.string().meta({ description: 'The version to compare with (the older side)' }),
});

export function schedulesRoutes(app: ZodApp, schedules: SchedulesService): void {
  const saved = documented(scheduleView, 'The schedule and its next firing');
  const removed = { 204: noContent('No schedule any more') };
  // PUT /v1/links/{id}/schedule
  app.put(
    '/v1/links/:id/schedule',
    { schema: { params: idParams, body: scheduleBody, response: { 200: saved } } },
    async (request) => schedules.setForLink(userIdOf(request), request.params.id, request.body.every),
  );
  // DELETE /v1/links/{id}/schedule
  app.delete('/v1/links/:id/schedule', { schema: { params: idParams, response: removed } }, async (request, reply) => {
    await schedules.removeForLink(userIdOf(request), request.params.id);
    return reply.status(204).send();
  });
  // PUT /v1/tags/{id}/schedule
  app.put(
    '/v1/tags/:id/schedule',
    { schema: { params: idParams, body: scheduleBody, response: { 200: saved } } },
    async (request) => schedules.setForTag(userIdOf(request), request.params.id, request.body.every),
  );
  // DELETE /v1/tags/{id}/schedule
  app.delete('/v1/tags/:id/schedule', { schema: { params: idParams, response: removed } }, async (request, reply) => {
    await schedules.removeForTag(userIdOf(request), request.params.id);
    return reply.status(204).send();
  });
}

export function diffRoutes(app: ZodApp, versions: VersionsService): void {
  // GET /v1/snapshots/{id}/diff?against={otherId}
  app.get(
    '/v1/snapshots/:id/diff',
    {
      schema: {
        params: idParams,
        querystring: againstQuery,
        response: { 200: documented(diffView, 'From `against` to this version: text operations and changed regions') },
      },
    },
    async (request) => versions.diff(userIdOf(request), request.params.id, request.query.against),
  );
  // GET /v1/snapshots/{id}/diff.png?against={otherId}
  app.get(
    '/v1/snapshots/:id/diff.png',
    {
      schema: {
        params: idParams,
        querystring: againstQuery,
        response: {
          200: opaqueBody('This version’s screenshot, faded, with changed pixels and regions in red', ['image/png']),
        },
      },
    },
    async (request, reply) => {
      const png = await versions.diffImage(userIdOf(request), request.params.id, request.query.against);
      return reply.type('image/png').header('Cache-Control', 'private, max-age=3600').send(png);
    },
  );
}
