/**
 * The snapshot job processor: capture on a pooled page, upload, report. It decides retries in
 * one place from the failure's catalog code: retryable with attempts left → plain Error (BullMQ
 * backs off and retries); otherwise a `failed` result is sent first, then UnrecoverableError.
 */
import os from 'node:os';
import {
  AppError,
  type ArchiveSigner,
  CAPTURE_FORMATS,
  CAPTURE_STAGES,
  type CaptureStage,
  type Config,
  failedResult,
  type Logger,
  type ObjectStorage,
  parseHttpUrl,
  resolveFormats,
  type SnapshotJob,
  snapshotJobSchema,
} from '@linksnap/shared';
import { type Job, UnrecoverableError } from 'bullmq';
import { KnownPayloads } from './archive/known-payloads.js';
import type { BrowserPool } from './browser-pool.js';
import type { AdBlocker } from './capture/adblock.js';
import { type CaptureOptions, capturePage } from './capture/index.js';
import type { RecorderOptions } from './capture/recorder.js';
import { openUploadPage } from './capture/upload-source.js';
import type { EgressProxy } from './egress/proxy.js';
import { toCaptureError } from './errors.js';
import type { ResultProducer } from './results.js';
import { storeArtifacts } from './storage.js';

export interface ProcessorDeps {
  config: Pick<Config, 'CAPTURE_TIMEOUT_MS'> &
    Partial<
      Pick<
        Config,
        | 'CAPTURE_MAX_HEIGHT_PX'
        | 'CAPTURE_MAX_BYTES'
        | 'JOB_LOCK_MS'
        | 'RECORD_BODY_MAX_BYTES'
        | 'RECORD_TOTAL_MAX_BYTES'
        | 'SCREENSHOT_FORMAT'
        | 'CAPTURE_CONSENT'
        | 'CAPTURE_FORMATS'
        | 'CAPTURE_MODE'
      >
    >;
  pool: BrowserPool;
  proxy: EgressProxy;
  storage: ObjectStorage;
  results: ResultProducer;
  /** Signs each snapshot's WACZ (the instance key, archive-signing.ts). */
  signer?: ArchiveSigner;
  /** The process's ad and tracker blocker; null when ADBLOCK is off or its lists failed to load. */
  blocker?: AdBlocker | null;
  logger?: Logger;
  /** Names this worker in results, for diagnosis. */
  workerName?: string;
  /** True once a stop's grace is over: a capture cut short then was handed back, not failed. */
  interrupted?: () => boolean;
}

export interface ProcessorOutcome {
  status: 'succeeded' | 'partial';
  artifacts: number;
}

function percentOf(stage: CaptureStage): number {
  return Math.round((CAPTURE_STAGES.indexOf(stage) / (CAPTURE_STAGES.length - 1)) * 100);
}

function recordLimits(config: ProcessorDeps['config']): RecorderOptions | undefined {
  const { RECORD_BODY_MAX_BYTES: maxBodyBytes, RECORD_TOTAL_MAX_BYTES: maxTotalBytes } = config;
  return maxBodyBytes && maxTotalBytes ? { maxBodyBytes, maxTotalBytes } : undefined;
}

export function createProcessor(deps: ProcessorDeps) {
  const workerName = deps.workerName ?? `${os.hostname()}:${process.pid}`;

  return async (job: Job<SnapshotJob>, token?: string): Promise<ProcessorOutcome> => {
    const startedAt = new Date().toISOString();
    const number = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    const parsed = snapshotJobSchema.safeParse(job.data);
    if (!parsed.success) {
      // Without ids there is nobody to report to; the job itself records the failure.
      throw new UnrecoverableError(`Invalid snapshot job payload: ${parsed.error.message}`);
    }
    const data = parsed.data;
    const log = deps.logger?.child({ snapshotId: data.snapshotId, requestId: data.requestId, attempt: number });
    const progress = reportProgress(job, log);
    const lock = holdLock(job, token, deps.config.JOB_LOCK_MS ?? 30_000);
    // A stalled attempt finishing late stores nothing (its bodies would be orphans to sweep).
    const uploads = storeArtifacts(deps.storage, async () => {
      const [lost, reported] = await Promise.all([lock.lostNow(), deps.results.exists(data.snapshotId)]);
      return lost || reported;
    });
    const attempt: Attempt = { data, number, maxAttempts, startedAt, workerName, log, progress, uploads };

    try {
      return await captureAndReport(deps, attempt);
    } catch (err) {
      // No stage's progress and no object of this attempt may land after its outcome.
      await Promise.all([progress.flushed(), uploads.settled()]);
      return await failAttempt(deps, attempt, toCaptureError(err));
    } finally {
      lock.release();
    }
  };
}

/** One attempt at one job, as its steps share it. */
interface Attempt {
  data: SnapshotJob;
  /** 1 for the first attempt. */
  number: number;
  maxAttempts: number;
  startedAt: string;
  workerName: string;
  log: Logger | undefined;
  progress: ReturnType<typeof reportProgress>;
  uploads: ReturnType<typeof storeArtifacts>;
}

/** Captures the page (or the uploaded one), stores its artifacts and sends the result. */
async function captureAndReport(deps: ProcessorDeps, attempt: Attempt): Promise<ProcessorOutcome> {
  const { data, log, progress, uploads } = attempt;
  const url = parseHttpUrl(data.url).href;
  const knownPayloads = await KnownPayloads.load(deps.storage, data.archiveBases ?? [], log);
  const options = captureOptions(deps, attempt, url, knownPayloads);
  const captured = data.upload
    ? await captureUpload(deps, options, await readUpload(deps.storage, data.upload.key))
    : await captureLive(deps, options);
  // The report and metadata describe a capture; alone they are not a snapshot of anything.
  if (captured.artifacts.every((a) => a.kind === 'report' || a.kind === 'metadata')) {
    const first = captured.missing[0];
    throw new AppError(first?.code ?? 'CAPTURE_FAILED', first?.detail ?? 'No artifact could be captured.');
  }
  progress.report('upload');
  const t0 = performance.now();
  const artifacts = await uploads.all(captured.artifacts);
  if (artifacts === null) {
    log?.warn('another attempt took this job over and reported it; dropping this capture');
    return { status: 'succeeded', artifacts: 0 };
  }
  await knownPayloads.refreshUsed(deps.storage);
  const timings = { ...captured.timings, upload: Math.round(performance.now() - t0) };
  const status = captured.missing.length > 0 ? 'partial' : 'succeeded';
  await deps.results.send({
    snapshotId: data.snapshotId,
    linkId: data.linkId,
    status,
    attempts: attempt.number,
    error: null,
    finalUrl: captured.navigation.finalUrl,
    httpStatus: captured.navigation.httpStatus,
    contentType: captured.navigation.contentType,
    title: captured.metadata.title,
    lang: captured.metadata.lang,
    text: captured.text,
    timings,
    artifacts,
    // Only when the WACZ was stored: it is what refers to them.
    archiveBases: artifacts.some((a) => a.kind === 'wacz') ? knownPayloads.used() : [],
    missing: captured.missing,
    startedAt: attempt.startedAt,
    finishedAt: new Date().toISOString(),
    worker: attempt.workerName,
    report: captured.summary,
  });
  progress.report('done');
  await progress.flushed();
  log?.info({ status, timings, httpStatus: captured.navigation.httpStatus }, 'snapshot captured');
  return { status, artifacts: artifacts.length };
}

/** The capture as this job and this worker's configuration ask for it. */
function captureOptions(
  deps: ProcessorDeps,
  attempt: Attempt,
  url: string,
  knownPayloads: KnownPayloads,
): CaptureOptions {
  const { data, progress, uploads } = attempt;
  return {
    url,
    timeoutMs: deps.config.CAPTURE_TIMEOUT_MS,
    maxHeightPx: deps.config.CAPTURE_MAX_HEIGHT_PX,
    maxBytes: deps.config.CAPTURE_MAX_BYTES,
    proxy: deps.proxy,
    record: recordLimits(deps.config),
    signer: deps.signer,
    knownPayloads,
    blocker: data.options?.blockAds === false ? null : deps.blocker,
    consent: deps.config.CAPTURE_CONSENT ?? false,
    screenshotFormat: deps.config.SCREENSHOT_FORMAT,
    formats: resolveFormats(data.options, {
      mode: deps.config.CAPTURE_MODE ?? 'full',
      formats: deps.config.CAPTURE_FORMATS ?? CAPTURE_FORMATS,
    }),
    onStage: progress.report,
    onArtifact: (artifact) => uploads.store(artifact),
  };
}

/** A capture of the live page, with the egress proxy open for as long as it runs. */
function captureLive(deps: ProcessorDeps, options: CaptureOptions) {
  return deps.pool.run(async (page) => {
    // Outside a running capture the pages' egress listener refuses everything (strays.ts).
    const endCapture = deps.proxy.beginCapture();
    try {
      return await capturePage(page, options);
    } finally {
      endCapture();
    }
  });
}

/**
 * Decides what a failed attempt becomes: handed back on shutdown, retried while the code is
 * retryable and attempts are left, otherwise reported as `failed` and ended for good.
 */
async function failAttempt(deps: ProcessorDeps, attempt: Attempt, error: AppError): Promise<never> {
  const { data, log } = attempt;
  if (deps.interrupted?.()) {
    log?.info({ code: error.code }, 'capture cut short by shutdown; the job goes back to the queue');
    throw new Error(`${error.code}: interrupted by shutdown`);
  }
  const final = !error.retryable || attempt.number >= attempt.maxAttempts;
  log?.warn(
    { code: error.code, detail: error.detail, final, maxAttempts: attempt.maxAttempts },
    'snapshot attempt failed',
  );
  if (!final) throw new Error(`${error.code}: ${error.detail}`);
  const result = failedResult({
    snapshotId: data.snapshotId,
    linkId: data.linkId,
    attempts: attempt.number,
    code: error.code,
    detail: error.detail,
    startedAt: attempt.startedAt,
    worker: attempt.workerName,
  });
  // A failed snapshot lists no artifact: what this attempt stored early is referenced by
  // nobody and the API's blob sweeper removes it after its grace period (ADR 0017).
  // If even the report fails, let BullMQ retry the job so the outcome is not lost.
  await deps.results.send(result);
  throw new UnrecoverableError(`${error.code}: ${error.detail}`);
}

/** The uploaded page the API stored; gone or unreadable storage is retryable. */
async function readUpload(storage: ObjectStorage, key: string): Promise<Buffer> {
  try {
    return await storage.getBuffer(key);
  } catch (err) {
    throw new AppError('STORAGE_UNAVAILABLE', 'The uploaded page could not be read from storage.', { cause: err });
  }
}

/**
 * An uploaded capture: rendered in a context of its own whose every request is refused (the
 * egress proxy is not opened for it: no `beginCapture`), and kept as the `upload` artifact.
 */
async function captureUpload(deps: ProcessorDeps, options: CaptureOptions, html: Buffer) {
  const captured = await deps.pool.run(async (poolPage) => {
    const { page, context } = await openUploadPage(poolPage, {
      url: options.url,
      html,
      proxyServer: deps.proxy.refusingProxyServer(),
    });
    // The pool closes its own page when the job's hard deadline passes: this one goes with it.
    poolPage.once('close', () => void context.close().catch(() => undefined));
    try {
      // Nothing is fetched for an upload, so there is nothing to block; the blocker's own
      // request interception would also stand in the way of the one serving the page.
      return await capturePage(page, { ...options, proxy: undefined, blocker: null, uploaded: true });
    } finally {
      await context.close().catch(() => undefined);
    }
  });
  const upload = { kind: 'upload' as const, body: html };
  options.onArtifact?.(upload);
  captured.artifacts.push(upload);
  return captured;
}

/**
 * Progress reports in order, forward only, without holding up the capture: each is a Redis
 * round trip, and a dozen of them sat between the stages. A failed report is only logged: the
 * result message, not the progress, carries the outcome.
 */
function reportProgress(job: Job<SnapshotJob>, log: Logger | undefined) {
  let last: Promise<void> = Promise.resolve();
  let percent = -1;
  return {
    report: (stage: CaptureStage) => {
      // Stages that run side by side start in any order; progress only moves forward.
      if (percentOf(stage) <= percent) return;
      percent = percentOf(stage);
      last = last
        .then(() => job.updateProgress({ stage, percent: percentOf(stage) }))
        .catch((err) => log?.debug({ err, stage }, 'progress update failed'));
    },
    /** Resolves once every report so far was sent (or failed). */
    flushed: () => last,
  };
}

/**
 * Extends this attempt's lock every third of its duration, and tells when it was lost (the job
 * stalled and another attempt took it over). It replaces BullMQ's renewal (`skipLockRenewal`),
 * which tracks locks by job id: when a stale attempt of the same job ended in this process, it
 * stopped renewing the live one, which then stalled again and failed. This one is keyed by token.
 */
function holdLock(job: Job<SnapshotJob>, token: string | undefined, lockMs: number) {
  let lost = false;
  let inFlight = false;
  const extend = async () => {
    if (token === undefined || lost) return;
    try {
      // 0: the lock belongs to another token (or expired and was taken): this attempt is stale.
      if (Number(await job.extendLock(token, lockMs)) === 0) lost = true;
    } catch {
      // Redis unreachable: BullMQ's own renewal and the stalled checker decide.
    }
  };
  const timer =
    token === undefined
      ? undefined
      : setInterval(
          () => {
            if (inFlight) return;
            inFlight = true;
            void extend().finally(() => {
              inFlight = false;
            });
          },
          Math.max(500, Math.floor(lockMs / 3)),
        );
  timer?.unref();
  return {
    /** Extends the lock now; true when this attempt no longer holds it. */
    lostNow: async () => {
      await extend();
      return lost;
    },
    release: () => clearInterval(timer),
  };
}
