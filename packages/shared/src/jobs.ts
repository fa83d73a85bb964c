/**
 * Queue contracts shared by the API (producer of snapshot jobs, consumer of results) and the
 * snapshotter (consumer of jobs, producer of results). Each queue is declared once, next to
 * its payload schema; the BullMQ job id of both is the snapshot id, which makes enqueueing
 * and result delivery idempotent.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, toStoredError } from './errors.js';

/** `text` parsed as JSON and checked against `schema`; null when it is neither. */
export function parseJsonAs<T>(schema: z.ZodType<T>, text: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export const SNAPSHOTS_QUEUE = 'snapshots';
export const RESULTS_QUEUE = 'snapshot-results';

/** Every artifact a snapshot may hold, with its file extension and content type. */
export const ARTIFACT_KINDS = {
  /** WebP by default; PNG (stored with its own type and extension) under SCREENSHOT_FORMAT=png. */
  screenshot: { ext: 'webp', contentType: 'image/webp' },
  thumbnail: { ext: 'webp', contentType: 'image/webp' },
  pdf: { ext: 'pdf', contentType: 'application/pdf' },
  mhtml: { ext: 'mhtml', contentType: 'multipart/related' },
  html: { ext: 'html', contentType: 'text/html; charset=utf-8' },
  text: { ext: 'txt', contentType: 'text/plain; charset=utf-8' },
  readable: { ext: 'html', contentType: 'text/html; charset=utf-8' },
  metadata: { ext: 'json', contentType: 'application/json' },
  report: { ext: 'json', contentType: 'application/json' },
  favicon: { ext: 'ico', contentType: 'image/x-icon' },
  original: { ext: 'bin', contentType: 'application/octet-stream' },
  /** The signed WACZ 1.1.1 archive of every recorded exchange (docs/archive-format.md). */
  wacz: { ext: 'wacz', contentType: 'application/wacz+zip' },
  /** The page as the user's browser serialised it (SingleFile HTML), for an uploaded capture. */
  upload: { ext: 'html', contentType: 'text/html; charset=utf-8' },
} as const;

export type ArtifactKind = keyof typeof ARTIFACT_KINDS;

/**
 * The artifacts a capture may be asked for (per link `formats`, instance default config
 * CAPTURE_FORMATS); `screenshot` brings its thumbnail. Text, readable, metadata, report and
 * favicon are always made: they are what a "bookmark only" capture keeps.
 */
export const CAPTURE_FORMATS = ['screenshot', 'pdf', 'mhtml', 'html', 'wacz'] as const;
export type CaptureFormat = (typeof CAPTURE_FORMATS)[number];
export const CAPTURE_MODES = ['full', 'bookmark'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];
export const captureOptionsSchema = z.object({
  /** False turns the ad and tracker blocker off for this capture (config ADBLOCK turns it on). */
  blockAds: z.boolean().optional(),
  /** Which of CAPTURE_FORMATS to make; absent, the instance default (CAPTURE_FORMATS). */
  formats: z.array(z.enum(CAPTURE_FORMATS)).max(CAPTURE_FORMATS.length).optional(),
  /** `bookmark`: metadata and readable text only (no formats at all). */
  mode: z.enum(CAPTURE_MODES).optional(),
});
export type CaptureOptionsInput = z.infer<typeof captureOptionsSchema>;

/** What a capture makes: bookmark mode none of the formats, else the link's or the instance's. */
export function resolveFormats(
  options: CaptureOptionsInput | undefined,
  defaults: { mode: CaptureMode; formats: readonly CaptureFormat[] },
): CaptureFormat[] {
  if ((options?.mode ?? defaults.mode) === 'bookmark') return [];
  return [...new Set(options?.formats ?? defaults.formats)];
}
export const artifactKindSchema = z.enum(Object.keys(ARTIFACT_KINDS) as [ArtifactKind, ...ArtifactKind[]]);

/**
 * Object key of a content-addressed body (ADR 0017): the key is the sha256 of the bytes, so a
 * body captured twice is stored once. PostgreSQL counts its references (`blob_refs`); the
 * API's sweeper removes a body no version references any more.
 */
export const BLOB_PREFIX = 'blobs/sha256/';
export function blobKey(sha256: string): string {
  return `${BLOB_PREFIX}${sha256}`;
}
/** The sha256 a content-addressed key names, or null for a per-snapshot (legacy) key. */
export function blobHashOf(key: string): string | null {
  const hash = key.startsWith(BLOB_PREFIX) ? key.slice(BLOB_PREFIX.length) : '';
  return /^[0-9a-f]{64}$/.test(hash) ? hash : null;
}

/**
 * Object key of an artifact stored before content addressing (ADR 0017): one prefix per
 * snapshot. Such keys stay readable and are removed with their snapshot.
 */
export function artifactKey(snapshotId: string, kind: ArtifactKind, ext: string = ARTIFACT_KINDS[kind].ext): string {
  const file = kind === 'readable' ? `readable.${ext}` : `${kind}.${ext}`;
  return `snapshots/${snapshotId}/${file}`;
}

export const CAPTURE_STAGES = [
  'queued',
  'navigate',
  'settle',
  'screenshot',
  'pdf',
  'mhtml',
  'html',
  'wacz',
  'text',
  'metadata',
  'upload',
  'done',
] as const;
export type CaptureStage = (typeof CAPTURE_STAGES)[number];

export const progressSchema = z.object({
  stage: z.enum(CAPTURE_STAGES),
  percent: z.number().min(0).max(100),
});
export type JobProgress = z.infer<typeof progressSchema>;

/**
 * An earlier version's WACZ whose payloads a capture may refer to with WARC `revisit` records
 * instead of storing them again (ADR 0017). A version that does lists it, and holds a reference
 * to its body, so the archive it needs outlives the version that made it.
 */
export const archiveBaseSchema = z.object({
  snapshotId: z.uuid(),
  key: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});
export type ArchiveBase = z.infer<typeof archiveBaseSchema>;

export const snapshotJobSchema = z.object({
  snapshotId: z.uuid(),
  linkId: z.uuid(),
  userId: z.uuid(),
  url: z.url(),
  requestedAt: z.iso.datetime(),
  /** The HTTP request that caused the job, for log correlation across services. */
  requestId: z.string().optional(),
  /** The archives of the link's previous good version, whose payloads need not be stored again. */
  archiveBases: z.array(archiveBaseSchema).optional(),
  /**
   * An uploaded capture: the page the user's browser serialised, stored by the API under this
   * object key. The snapshotter renders it for `url` with every request refused.
   */
  upload: z.object({ key: z.string().min(1) }).optional(),
  /** Per-link capture options; absent, the instance defaults apply. */
  options: captureOptionsSchema.optional(),
});
export type SnapshotJob = z.infer<typeof snapshotJobSchema>;

/** Where a snapshot's page came from: fetched by the snapshotter, or uploaded by the user's browser. */
export const SNAPSHOT_SOURCES = ['capture', 'upload'] as const;
export type SnapshotSource = (typeof SNAPSHOT_SOURCES)[number];

export const artifactSchema = z.object({
  kind: artifactKindSchema,
  key: z.string(),
  contentType: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Artifact = z.infer<typeof artifactSchema>;

const errorCodeSchema = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

export const storedErrorSchema = z.object({
  code: errorCodeSchema,
  title: z.string(),
  detail: z.string(),
});

/** An artifact a capture could not produce, and why (a `partial` snapshot names them). */
export const missingArtifactSchema = z.object({
  kind: artifactKindSchema,
  code: errorCodeSchema,
  detail: z.string(),
});

export type MissingArtifact = z.infer<typeof missingArtifactSchema>;

/** What a capture's report says in numbers (the full report is the `report` artifact). */
export const reportSummarySchema = z.object({
  requests: z.number().int().nonnegative(),
  failedRequests: z.number().int().nonnegative(),
  blockedRequests: z.number().int().nonnegative(),
  /** Requests the ad and tracker blocker refused (absent in results of older workers). */
  adsBlocked: z.number().int().nonnegative().optional(),
  bytes: z.number().nonnegative(),
  cut: z.boolean(),
  consoleErrors: z.number().int().nonnegative(),
  navigationTimedOut: z.boolean(),
});
/** The summary a current worker writes: every field, `adsBlocked` included. */
export type ReportSummary = Required<z.infer<typeof reportSummarySchema>>;

export const SNAPSHOT_STATES = ['queued', 'active', 'succeeded', 'partial', 'failed'] as const;
export type SnapshotState = (typeof SNAPSHOT_STATES)[number];
export const FINAL_STATES = ['succeeded', 'partial', 'failed'] as const;

/** A final snapshot status (or job state): the result is written and never changes. */
export function isFinalState(state: string): boolean {
  return (FINAL_STATES as readonly string[]).includes(state);
}

/**
 * An error capture: the main document answered 4xx/5xx. It is kept (like the Wayback Machine
 * keeps error pages) but is not the page the user saved.
 */
export function isErrorCapture(httpStatus: number | null): boolean {
  return httpStatus !== null && httpStatus >= 400;
}

/**
 * A version worth showing for its link: captured (fully or partly) and not an error page. A
 * null status (a row from before statuses were kept) counts as good.
 */
export function isGoodCapture(status: string, httpStatus: number | null): boolean {
  return (status === 'succeeded' || status === 'partial') && !isErrorCapture(httpStatus);
}

export const snapshotResultSchema = z.object({
  snapshotId: z.uuid(),
  linkId: z.uuid(),
  status: z.enum(FINAL_STATES),
  attempts: z.number().int().min(1),
  error: storedErrorSchema.nullable(),
  finalUrl: z.string().nullable(),
  httpStatus: z.number().int().nullable(),
  contentType: z.string().nullable(),
  title: z.string().nullable(),
  lang: z.string().nullable(),
  /** Readable text, kept in the row for search (the full text is also an artifact). */
  text: z.string().nullable(),
  /** Milliseconds per stage. */
  timings: z.record(z.string(), z.number()),
  artifacts: z.array(artifactSchema),
  /** The archives this version's WACZ refers to with `revisit` records (replay merges them in). */
  archiveBases: z.array(archiveBaseSchema).default([]),
  missing: z.array(missingArtifactSchema).default([]),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime(),
  /** Which worker produced it, for diagnosis. */
  worker: z.string().optional(),
  /** Summary of the capture report (the full report is the `report` artifact). */
  report: reportSummarySchema.optional(),
});
export type SnapshotResult = z.infer<typeof snapshotResultSchema>;
export type SnapshotResultInput = z.input<typeof snapshotResultSchema>;

/** Retry policy of capture jobs: retryable catalog codes back off exponentially. */
export function snapshotJobOptions(snapshotId: string, attempts: number, backoffMs: number) {
  return {
    jobId: snapshotId,
    attempts,
    backoff: { type: 'exponential' as const, delay: backoffMs },
    // Redis keeps a bounded history; PostgreSQL keeps the outcome forever.
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

export function resultJobOptions(snapshotId: string) {
  return {
    jobId: snapshotId,
    attempts: 20,
    backoff: { type: 'exponential' as const, delay: 1_000 },
    removeOnComplete: { age: 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

/**
 * The "webhooks" queue (API only: the results consumer adds, a worker in the API delivers): one
 * job per (event, webhook), its id built from the event's key and the webhook's id.
 */
export const WEBHOOKS_QUEUE = 'webhooks';

export const webhookJobSchema = z.object({
  webhookId: z.uuid(),
  event: z.string().min(1),
  snapshotId: z.uuid(),
  /** The `data` of the delivered body. */
  payload: z.record(z.string(), z.unknown()),
});
export type WebhookJob = z.infer<typeof webhookJobSchema>;

export function webhookJobOptions(jobId: string, attempts: number, backoffMs: number) {
  return {
    jobId,
    attempts,
    backoff: { type: 'exponential' as const, delay: backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
  };
}

/** The result message of a capture that ended without artifacts (worker or reconciler). */
export function failedResult(input: {
  snapshotId: string;
  linkId: string;
  attempts: number;
  code: ErrorCode;
  detail: string;
  startedAt: string | null;
  worker: string;
}): SnapshotResult {
  return {
    snapshotId: input.snapshotId,
    linkId: input.linkId,
    status: 'failed',
    attempts: Math.max(1, input.attempts),
    error: toStoredError(input.code, input.detail),
    finalUrl: null,
    httpStatus: null,
    contentType: null,
    title: null,
    lang: null,
    text: null,
    timings: {},
    artifacts: [],
    archiveBases: [],
    missing: [],
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    worker: input.worker,
  };
}
