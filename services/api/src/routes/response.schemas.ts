/**
 * Response schemas shared by route files, so the OpenAPI document describes what routes send.
 * They name every field of the service's view type: the serializer drops fields not named here.
 */
import { artifactSchema, CAPTURE_STAGES, SNAPSHOT_STATES, storedErrorSchema } from '@linksnap/shared';
import { z } from 'zod';

export const userView = z.object({ id: z.string(), email: z.string(), createdAt: z.string() });
export const sessionView = z.object({ token: z.string(), user: userView });

export const storedError = storedErrorSchema;

export const snapshotSummary = z.object({
  id: z.string(),
  linkId: z.string(),
  status: z.string(),
  requestedAt: z.string(),
});

export const snapshotView = snapshotSummary.extend({
  attempts: z.number().int(),
  error: storedError.nullable(),
  httpStatus: z.number().int().nullable(),
  finalUrl: z.string().nullable(),
  contentType: z.string().nullable(),
  title: z.string().nullable(),
  lang: z.string().nullable(),
  timings: z.record(z.string(), z.number()).nullable(),
  artifacts: z.array(artifactSchema.extend({ url: z.string() })),
  missing: z.array(z.object({ kind: z.string(), code: z.string(), detail: z.string() })),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

export const linkView = z.object({
  id: z.string(),
  url: z.string(),
  normalizedUrl: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  tags: z.array(z.object({ id: z.string(), name: z.string() })),
  latestSnapshot: z.object({ id: z.string(), status: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const linkCreated = z.object({ link: linkView, snapshot: snapshotSummary });

export const jobView = z.object({
  id: z.string(),
  state: z.string().meta({ description: SNAPSHOT_STATES.join(' | ') }),
  progress: z.object({ stage: z.enum(CAPTURE_STAGES), percent: z.number() }),
  attempts: z.number().int(),
  error: storedError.nullable(),
  snapshot: snapshotView.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const healthView = z.object({ status: z.literal('ok') });
export const readinessView = z.object({
  status: z.literal('ok'),
  checks: z.record(z.string(), z.enum(['ok', 'unavailable'])),
});
