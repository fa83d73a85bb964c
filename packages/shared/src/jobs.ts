/**
 * Queue contracts shared by the API (producer of snapshot jobs, consumer of results) and the
 * snapshotter (consumer of jobs, producer of results). Each queue is declared once, next to
 * its payload schema; the BullMQ job id of both is the snapshot id, which makes enqueueing
 * and result delivery idempotent.
 */
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, toStoredError } from './errors.js';

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

/** Object key of an artifact: one prefix per snapshot, so deleting a snapshot is one prefix. */
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

export const snapshotJobSchema = z.object({
  snapshotId: z.uuid(),
  linkId: z.uuid(),
  userId: z.uuid(),
  url: z.url(),
  requestedAt: z.iso.datetime(),
  /** The HTTP request that caused the job, for log correlation across services. */
  requestId: z.string().optional(),
  /** Per-link capture options; absent, the instance defaults apply. */
  options: captureOptionsSchema.optional(),
});
export type SnapshotJob = z.infer<typeof snapshotJobSchema>;

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
  missing: z.array(missingArtifactSchema).default([]),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime(),
  /** Which worker produced it, for diagnosis. */
  worker: z.string().optional(),
  /** Summary of the capture report (the full report is the `report` artifact). */
  report: z
    .object({
      requests: z.number().int().nonnegative(),
      failedRequests: z.number().int().nonnegative(),
      blockedRequests: z.number().int().nonnegative(),
      /** Requests the ad and tracker blocker refused (absent in results of older workers). */
      adsBlocked: z.number().int().nonnegative().optional(),
      bytes: z.number().nonnegative(),
      cut: z.boolean(),
      consoleErrors: z.number().int().nonnegative(),
      navigationTimedOut: z.boolean(),
    })
    .optional(),
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
    missing: [],
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    worker: input.worker,
  };
}
