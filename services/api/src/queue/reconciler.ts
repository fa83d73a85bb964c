/**
 * Stuck-state reconciler: PostgreSQL is the record, Redis only carries work. A snapshot row
 * still queued/active whose capture job and result message are both gone from Redis (Redis
 * data lost, a flush, an eviction) would stay queued forever; this finds such rows (older than
 * RECONCILE_MIN_AGE_MS, so an in-flight submission is never touched) and re-enqueues them with
 * the same job id, or fails them with a clear code when the job ended without a result.
 * Runs once at start-up and every RECONCILE_INTERVAL_MS (0 disables it). It scans every row of
 * the database, so all API processes sharing a database must share one queue prefix.
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
import { and, eq, inArray, lt } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { links, snapshots } from '../db/schema.js';
import { SnapshotsRepository } from '../domain/snapshots.repository.js';
import type { SnapshotQueue } from './snapshot-producer.js';

export interface ReconcileReport {
  checked: number;
  requeued: string[];
  failed: string[];
}

export interface Reconciler {
  /** One pass; safe to call any time (tests call it directly). */
  runOnce(): Promise<ReconcileReport>;
  close(): Promise<void>;
}

export interface ReconcilerOptions {
  config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX' | 'RECONCILE_INTERVAL_MS' | 'RECONCILE_MIN_AGE_MS'>;
  db: Db;
  snapshotQueue: SnapshotQueue;
  logger?: Logger;
  /** Start the periodic timer and the start-up pass (default true). */
  schedule?: boolean;
  batchSize?: number;
}

/** "CODE: detail" (how the processor names its failures) → a catalog code. */
function codeOf(reason: string | undefined): ErrorCode {
  const code = /^([A-Z_]+):/.exec(reason ?? '')?.[1];
  return code && (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'CAPTURE_FAILED';
}

export function startReconciler(options: ReconcilerOptions): Reconciler {
  const { config, db, snapshotQueue, logger } = options;
  const repository = new SnapshotsRepository(db);
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
  const jobs = snapshotQueue.queue;

  const fail = async (row: { id: string; linkId: string; attempts: number }, code: ErrorCode, detail: string) => {
    await repository.applyResult(
      failedResult({ ...row, snapshotId: row.id, code, detail, startedAt: null, worker: 'reconciler' }),
    );
  };

  const runOnce = async (): Promise<ReconcileReport> => {
    const report: ReconcileReport = { checked: 0, requeued: [], failed: [] };
    const cutoff = new Date(Date.now() - config.RECONCILE_MIN_AGE_MS);
    const rows = await db
      .select({
        id: snapshots.id,
        linkId: snapshots.linkId,
        userId: snapshots.userId,
        attempts: snapshots.attempts,
        requestedAt: snapshots.requestedAt,
        url: links.url,
      })
      .from(snapshots)
      .innerJoin(links, eq(links.id, snapshots.linkId))
      .where(and(inArray(snapshots.status, ['queued', 'active']), lt(snapshots.requestedAt, cutoff)))
      .orderBy(snapshots.requestedAt)
      .limit(options.batchSize ?? 500);
    for (const row of rows) {
      report.checked++;
      // A result waiting to be consumed: the consumer will finish this row.
      if (await results().getJob(row.id)) continue;
      const job = await jobs.getJob(row.id);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'failed') {
        // The job gave up but its failure report never arrived: record the failure it carries.
        await fail(row, codeOf(job?.failedReason), job?.failedReason || 'The capture failed.');
        report.failed.push(row.id);
        continue;
      }
      if (state !== 'unknown' && state !== 'completed') continue; // waiting, delayed, active: alive.
      if (job) await job.remove().catch(() => undefined); // completed without a result: capture again.
      let url: string;
      try {
        url = parseHttpUrl(row.url).href;
      } catch {
        await fail(row, 'INVALID_URL', 'The link URL can no longer be captured.');
        report.failed.push(row.id);
        continue;
      }
      await snapshotQueue.enqueue({
        snapshotId: row.id,
        linkId: row.linkId,
        userId: row.userId,
        url,
        requestedAt: row.requestedAt.toISOString(),
        requestId: 'reconciler',
      });
      report.requeued.push(row.id);
    }
    if (report.requeued.length > 0 || report.failed.length > 0) {
      logger?.warn(
        { requeued: report.requeued.length, failed: report.failed.length, checked: report.checked },
        'reconciler repaired snapshots stuck without a queue job',
      );
    }
    return report;
  };

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
    close: async () => {
      clearInterval(timer);
      await Promise.race([running, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await Promise.race([resultsQueue?.close(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
  };
}
