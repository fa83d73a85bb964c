/**
 * Response schemas shared by route files, so the OpenAPI document describes what routes send.
 * They name every field of the service's view type: the serializer drops fields not named here.
 */
import {
  ARTIFACT_KINDS,
  artifactSchema,
  CAPTURE_STAGES,
  SNAPSHOT_SOURCES,
  SNAPSHOT_STATES,
  snapshotterStatusSchema,
  storedErrorSchema,
} from '@linksnap/shared';
import { z } from 'zod';
import { problemSchema } from '../http/openapi.js';

type HeaderDocs = Record<string, { description: string }>;
const headerSchemas = (headers: HeaderDocs) =>
  Object.fromEntries(Object.entries(headers).map(([name, { description }]) => [name, { type: 'string', description }]));

/** A JSON response with its description and the headers it sets (shown in the OpenAPI document). */
export const documented = <T extends z.ZodType>(schema: T, description: string, headers?: HeaderDocs): T =>
  schema.meta(headers ? { description, headers: headerSchemas(headers) } : { description }) as T;

/** A response without a body (204). */
export const noContent = (description: string) => z.undefined().meta({ description });

/**
 * A non-JSON body (a download or a stream): its media types, no JSON Schema. The handler sends
 * a string, Buffer or stream, which Fastify never passes to the serializer.
 */
export const opaqueBody = (description: string, mediaTypes: readonly string[], headers?: HeaderDocs) => ({
  description,
  content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: z.unknown() }])),
  ...(headers ? { headers: headerSchemas(headers) } : {}),
});

/** `{items: [...]}`, the envelope of every unpaginated list. */
export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** Media types an artifact download may have (`original` keeps the captured resource's own). */
export const ARTIFACT_MEDIA_TYPES = [
  ...new Set([
    ...Object.values(ARTIFACT_KINDS).map((k) => k.contentType.split(';')[0] as string),
    // Screenshots under SCREENSHOT_FORMAT=png, and screenshots and thumbnails of older snapshots.
    'image/png',
    'image/jpeg',
  ]),
  '*/*',
];

export const userView = z.object({ id: z.string(), email: z.string(), createdAt: z.string() });
export const sessionView = z.object({ token: z.string(), user: userView });
/** Cookie sessions and `me`: the token stays in the httpOnly cookie. */
export const currentUser = z.object({ user: userView });

export const storedError = storedErrorSchema;

export const snapshotSummary = z.object({
  id: z.string(),
  linkId: z.string(),
  status: z.string(),
  requestedAt: z.string(),
});

/** What a finished version changed, compared with the link's previous good one. */
export const changeView = z.object({
  text: z.enum(['same', 'changed']).nullable(),
  visual: z.number().nullable().meta({ description: 'Share of screenshot pixels changed, 0..1' }),
  status: z.enum(['same', 'moved', 'gone']),
});
const changeField = changeView.nullable().meta({
  description:
    "Compared with the link's previous good version; null for a first version or one with nothing to compare",
});

const errorCaptureField = z.boolean().meta({
  description: 'The main document answered 4xx/5xx: an error page, kept but never shown as the link',
});

export const snapshotView = snapshotSummary.extend({
  attempts: z.number().int(),
  error: storedError.nullable(),
  httpStatus: z.number().int().nullable(),
  errorCapture: errorCaptureField,
  finalUrl: z.string().nullable(),
  contentType: z.string().nullable(),
  title: z.string().nullable(),
  lang: z.string().nullable(),
  timings: z.record(z.string(), z.number()).nullable(),
  artifacts: z.array(artifactSchema.extend({ url: z.string() })),
  missing: z.array(z.object({ kind: z.string(), code: z.string(), detail: z.string() })),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  change: changeField,
  source: z.enum(SNAPSHOT_SOURCES).meta({
    description: '`upload`: rendered from the page the user’s browser sent (SingleFile HTML), with all network refused',
  }),
});

export const linkView = z.object({
  id: z.string(),
  url: z.string(),
  normalizedUrl: z.string(),
  title: z.string().nullable(),
  description: z.string().nullable(),
  tags: z.array(z.object({ id: z.string(), name: z.string() })),
  latestSnapshot: z.object({ id: z.string(), status: z.string() }).nullable(),
  lastGoodSnapshotId: z.string().nullable().meta({
    description:
      'The version the link shows, searches and thumbnails: its newest good capture (succeeded or partial, not an error page)',
  }),
  schedule: z
    .object({
      every: z.string().meta({ description: 'daily | weekly | monthly | a cron expression (UTC)' }),
      source: z.enum(['link', 'tag']),
      tagId: z.string().nullable(),
    })
    .nullable()
    .meta({
      description:
        "The re-capture schedule. Lists show the link's own; GET /v1/links/{id} also resolves a tag's (the link's own wins)",
    }),
  nextCaptureAt: z
    .string()
    .nullable()
    .meta({ description: 'Next scheduled capture (GET /v1/links/{id} only; null in lists)' }),
  deadAt: z.string().nullable().meta({
    description:
      'Gone since (DNS failure, an error page after a good version, or a soft 404); cleared by a good capture',
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const linkCreated = z.object({ link: linkView, snapshot: snapshotSummary });
/** One URL of POST /v1/links/batch: the link saved, or the problem that URL alone would have answered. */
export const batchItem = z.object({
  url: z.string(),
  status: z.number().int().meta({ description: '202 saved, 409 already saved, 400 refused' }),
  link: linkView.optional(),
  snapshot: snapshotSummary.optional(),
  problem: problemSchema.optional(),
});

export const snapshotQueued = z.object({ snapshot: snapshotSummary });

/** A link in a list: its latest snapshot in more detail, and the matching text when searching. */
export const linkListItem = linkView.extend({
  latestSnapshot: z
    .object({
      id: z.string(),
      status: z.string(),
      title: z.string().nullable(),
      finishedAt: z.string().nullable(),
      httpStatus: z.number().int().nullable(),
      errorCapture: errorCaptureField,
    })
    .nullable()
    .meta({ description: "The latest attempt: the link's capture state" }),
  lastGoodSnapshot: z
    .object({ id: z.string(), title: z.string().nullable(), finishedAt: z.string().nullable() })
    .nullable()
    .meta({
      description:
        'The version shown, searched and thumbnailed; older than latestSnapshot after a failed or error capture',
    }),
  thumbnailUrl: z.string().nullable(),
  match: z
    .object({
      snapshotId: z.string().nullable().meta({ description: 'The version whose readable text matched best' }),
      snippet: z.string().nullable().meta({
        description:
          'A window of that text; matched words sit between U+E000 and U+E001. Plain text: render as text, never as HTML',
      }),
    })
    .optional()
    .meta({ description: 'Only when searching (`q`)' }),
});
export const linkPage = z.object({
  items: z.array(linkListItem),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
});

/** One snapshot version of a link (GET /v1/links/{id}/snapshots). */
export const versionView = z.object({
  id: z.string(),
  status: z.string(),
  title: z.string().nullable(),
  requestedAt: z.string(),
  finishedAt: z.string().nullable(),
  totalBytes: z.number().int(),
  httpStatus: z.number().int().nullable(),
  errorCapture: errorCaptureField,
  error: z.object({ code: z.string(), title: z.string(), detail: z.string() }).nullable(),
  change: changeField,
});

export const signedArtifactUrl = z.object({ url: z.string(), expiresAt: z.string() });

export const jobView = z.object({
  id: z.string(),
  state: z.string().meta({ description: SNAPSHOT_STATES.join(' | ') }),
  progress: z.object({ stage: z.enum(CAPTURE_STAGES), percent: z.number() }),
  attempts: z.number().int(),
  error: storedError.nullable(),
  errorCapture: errorCaptureField,
  snapshot: snapshotView.nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const healthView = z.object({ status: z.literal('ok') });
export const readinessView = z.object({
  status: z.literal('ok'),
  checks: z.record(z.string(), z.enum(['ok', 'unavailable'])),
  snapshotters: z.array(snapshotterStatusSchema).optional().meta({
    description:
      'Capture workers that reported within the last 45 s (`adblock`: `unavailable` means its filter lists could not be loaded and it captures without blocking)',
  }),
});

export const tagView = z.object({
  id: z.string(),
  name: z.string(),
  linkCount: z.number().int(),
  schedule: z.string().nullable().meta({ description: 'Re-capture schedule of its links that have none of their own' }),
});

export const scheduleView = z.object({
  every: z.string(),
  source: z.enum(['link', 'tag']),
  tagId: z.string().nullable(),
  nextCaptureAt: z.string().nullable(),
});

export const diffView = z.object({
  from: z.string().meta({ description: 'The older side (`against`)' }),
  to: z.string(),
  text: z.array(z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() })).meta({
    description: 'Word level for Latin scripts, character level for CJK; whitespace-normalised',
  }),
  visual: z
    .object({
      changedRatio: z.number(),
      boxes: z.array(z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() })),
      width: z.number().int(),
      height: z.number().int(),
    })
    .nullable()
    .meta({ description: 'Screenshot pixels, on the common size; null without two screenshots' }),
  imageUrl: z.string().nullable().meta({ description: 'PNG of the newer screenshot with the changes marked' }),
});

export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
export const apiKeyCreated = apiKeyView.extend({ key: z.string().meta({ description: 'Shown only once' }) });

export const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  createdAt: z.string(),
});
export const webhookCreated = webhookView.extend({ secret: z.string().meta({ description: 'Shown only once' }) });

export const importReport = z.object({
  created: z.number().int(),
  duplicates: z.number().int(),
  invalid: z.array(z.object({ url: z.string(), reason: z.string() })),
});
