/**
 * Stuck-state reconciler: PostgreSQL is the record, Redis only carries work. A snapshot row
 * still queued/active whose capture job and result message are both gone from Redis (Redis
 * data lost, a flush, an eviction) would stay queued forever; this finds such rows (older than
 * RECONCILE_MIN_AGE_MS, so an in-flight submission is never touched) and re-enqueues them with
 * the same job id, or fails them with a clear code when the job ended without a result.
 * Runs once at start-up and every RECONCILE_INTERVAL_MS (0 disables it). It scans every row of
 * the database, so all API processes sharing a database must share one queue prefix. Besides the
 * passes, it reads the queue's failed set every second: a job that ended failed and whose result
 * never arrives (BullMQ fails a job that stalled past its limit without calling the processor) is
 * recorded within seconds.
 */
import {
  type Config,
  ERROR_CODES,
  type ErrorCode,
  failedResult,
  type Logger,
  parseHttpUrl,
  RESULTS_QUEUE,
  redisOptions,
} from '@linksnap/shared';
import { Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import { SnapshotsRepository, type UnfinishedSnapshot } from '../db/snapshots.repository.js';
import type { SnapshotQueue } from './snapshot-producer.js';

export interface ReconcileReport {
  checked: number;
  requeued: string[];
  failed: string[];
}

export interface Reconciler {
  /** One pass; safe to call any time (tests call it directly). */
  runOnce(): Promise<ReconcileReport>;
  /** Checks one snapshot now, whatever its age. */
  repairOne(id: string): Promise<'final' | 'alive' | 'requeued' | 'failed'>;
  close(): Promise<void>;
}

export interface ReconcilerOptions {
  config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX' | 'RECONCILE_INTERVAL_MS' | 'RECONCILE_MIN_AGE_MS'>;
  db: Db;
  snapshotQueue: SnapshotQueue;
  logger?: Logger;
  /** Start the periodic timer, the start-up pass and the failure watch (default true). */
  schedule?: boolean;
  /** How long a failed job's own result message may take to arrive (default 3 s). */
  resultGraceMs?: number;
  batchSize?: number;
}

const RESULT_GRACE_MS = 3_000;
/** How often the failed set is read for jobs that just ended failed. */
const FAILED_POLL_MS = 1_000;
/** How far back each read looks (a worker's clock may lag this process's). */
const FAILED_LOOKBACK_MS = 60_000;
/** BullMQ's reasons for failing a job whose worker kept losing its lock. */
const STALLED_REASONS = new Set(['job stalled more than allowable limit']);

/** "CODE: detail" (how the processor names its failures) → a catalog code. */
function codeOf(reason: string | undefined): ErrorCode {
  const code = /^([A-Z_]+):/.exec(reason ?? '')?.[1];
  return code && (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'CAPTURE_FAILED';
}

type Repair = (row: UnfinishedSnapshot) => Promise<'alive' | 'requeued' | 'failed'>;

/** Repairs one unfinished row if its job is gone (capture again) or ended without a result (fail it). */
function repairer(repository: SnapshotsRepository, snapshotQueue: SnapshotQueue, results: () => Queue): Repair {
  const fail = async (row: UnfinishedSnapshot, code: ErrorCode, detail: string) => {
    // As the results consumer does: status polls read PostgreSQL from now on.
    await snapshotQueue.markFinal(row.id);
    await repository.applyResult(
      failedResult({ ...row, snapshotId: row.id, code, detail, startedAt: null, worker: 'reconciler' }),
    );
  };
  return async (row) => {
    // A result waiting to be consumed: the consumer will finish this row.
    if (await results().getJob(row.id)) return 'alive';
    const job = await snapshotQueue.queue.getJob(row.id);
    const state = job ? await job.getState() : 'unknown';
    if (state === 'failed') {
      // The job gave up but its failure report never arrived (e.g. it stalled past the limit,
      // which BullMQ decides without calling the processor): record the failure it carries.
      const reason = job?.failedReason ?? '';
      const detail = STALLED_REASONS.has(reason)
        ? 'The capture worker stopped responding (it crashed or was overloaded) too many times.'
        : reason || 'The capture failed.';
      await fail(row, codeOf(reason), detail);
      return 'failed';
    }
    if (state !== 'unknown' && state !== 'completed') return 'alive'; // waiting, delayed, active.
    if (job) await job.remove().catch(() => undefined); // completed without a result: capture again.
    let url: string;
    try {
      url = parseHttpUrl(row.url).href;
    } catch {
      await fail(row, 'INVALID_URL', 'The link URL can no longer be captured.');
      return 'failed';
    }
    await snapshotQueue.enqueue({
      snapshotId: row.id,
      linkId: row.linkId,
      userId: row.userId,
      url,
      requestedAt: row.requestedAt.toISOString(),
      requestId: 'reconciler',
    });
    return 'requeued';
  };
}

/**
 * A job that ends failed normally sends its failure result first; one that does not (stalled
 * past the limit, or its report was lost) is recorded here within seconds instead of waiting
 * for the next pass. The failed set is read by score (BullMQ's finish time) every second: one
 * small range read, where following the queue's event stream would mean reading an event for
 * every job added, in every API process.
 */
function watchFailures(
  snapshotQueue: SnapshotQueue,
  repairOne: (id: string) => Promise<unknown>,
  graceMs: number,
  logger?: Logger,
): { stop(): void } {
  const pending = new Set<NodeJS.Timeout>();
  /** Failed jobs already scheduled for a check, by when they were first seen. */
  const seen = new Map<string, number>();
  const watchedFrom = Date.now();
  let reading = false;
  const readFailures = async () => {
    if (reading) return;
    reading = true;
    try {
      const now = Date.now();
      for (const [id, at] of seen) if (at < now - 2 * FAILED_LOOKBACK_MS) seen.delete(id);
      const ids = await snapshotQueue.failedSince(Math.max(watchedFrom, now - FAILED_LOOKBACK_MS));
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.set(id, now);
        const timer = setTimeout(() => {
          pending.delete(timer);
          repairOne(id).catch((err: unknown) => logger?.warn({ err, snapshotId: id }, 'repair failed'));
        }, graceMs);
        pending.add(timer);
      }
    } catch {
      // Redis unreachable: the next read tries again.
    } finally {
      reading = false;
    }
  };
  const interval = setInterval(() => void readFailures(), FAILED_POLL_MS);
  interval.unref();
  return {
    stop: () => {
      clearInterval(interval);
      for (const t of pending) clearTimeout(t);
    },
  };
}

export function startReconciler(options: ReconcilerOptions): Reconciler {
  const { config, snapshotQueue, logger } = options;
  const repository = new SnapshotsRepository(options.db);
  // Opened on first use: an API with the reconciler disabled holds no extra connection.
  let resultsQueue: Queue | null = null;
  const results = () => {
    if (!resultsQueue) {
      resultsQueue = new Queue(RESULTS_QUEUE, {
        connection: redisOptions(config.REDIS_URL as string, { maxRetriesPerRequest: 1 }),
        prefix: config.QUEUE_PREFIX,
      });
      resultsQueue.on('error', () => {});
    }
    return resultsQueue;
  };
  const repair = repairer(repository, snapshotQueue, results);

  const runOnce = async (): Promise<ReconcileReport> => {
    const report: ReconcileReport = { checked: 0, requeued: [], failed: [] };
    const requestedBefore = new Date(Date.now() - config.RECONCILE_MIN_AGE_MS);
    for (const row of await repository.unfinished({ requestedBefore }, options.batchSize ?? 500)) {
      report.checked++;
      const outcome = await repair(row);
      if (outcome !== 'alive') report[outcome].push(row.id);
    }
    if (report.requeued.length > 0 || report.failed.length > 0) {
      logger?.warn(
        { requeued: report.requeued.length, failed: report.failed.length, checked: report.checked },
        'reconciler repaired snapshots stuck without a queue job',
      );
    }
    return report;
  };

  const repairOne = async (id: string) => {
    const [row] = await repository.unfinished({ id }, 1);
    if (!row) return 'final' as const;
    const outcome = await repair(row);
    if (outcome !== 'alive')
      logger?.warn({ snapshotId: id, outcome }, 'repaired a snapshot whose job ended without a result');
    return outcome;
  };

  const failures =
    options.schedule !== false
      ? watchFailures(snapshotQueue, repairOne, options.resultGraceMs ?? RESULT_GRACE_MS, logger)
      : null;
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = runOnce()
      .catch((err: unknown) => logger?.warn({ err }, 'reconcile pass failed; retrying next interval'))
      .finally(() => {
        running = null;
      });
  };
  let timer: NodeJS.Timeout | undefined;
  if (options.schedule !== false && config.RECONCILE_INTERVAL_MS > 0) {
    tick();
    timer = setInterval(tick, config.RECONCILE_INTERVAL_MS);
    timer.unref();
  }
  return {
    runOnce,
    repairOne,
    close: async () => {
      clearInterval(timer);
      failures?.stop();
      await Promise.race([running, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await Promise.race([resultsQueue?.close(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
  };
}
