/**
 * Consumes the "snapshot-results" queue: each message is a finished capture, written to
 * PostgreSQL in one idempotent transaction. Replays and results for deleted links are acked.
 */
import {
  type Config,
  closeQueueClient,
  type Logger,
  RESULTS_QUEUE,
  redisOptions,
  type SnapshotResult,
  snapshotResultSchema,
} from '@linksnap/shared';
import { UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Db } from '../db/database.js';
import { SnapshotsRepository } from '../db/snapshots.repository.js';
import type { VersionChange } from '../domain/change.js';
import type { ApiMetrics } from '../http/metrics.js';
import { finalChannel } from './job-events.js';

export interface ResultsConsumer {
  worker: Worker;
  /** Finishes the messages in hand within `ms`; past it (Redis gone) drops the connection. */
  close(ms?: number): Promise<void>;
}

export interface ResultsConsumerOptions {
  config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>;
  db: Db;
  logger?: Logger;
  concurrency?: number;
  /** Counts captures by outcome and error code once their row is written. */
  metrics?: Pick<ApiMetrics, 'countCapture'>;
  /**
   * Runs before the row is written (also for a replay): SnapshotQueue.markFinal, so that status
   * polls, which the queue answers while a capture is unfinished, read PostgreSQL from then on.
   * A throw retries the message.
   */
  beforeApply: (snapshotId: string) => Promise<void>;
  /**
   * Compares the result with the link's previous good version before the row is written, so
   * the final row carries its change (null: nothing to compare, or a replay). A throw retries.
   */
  assess?: (result: SnapshotResult) => Promise<VersionChange | null>;
  /**
   * Runs after the row is final (also for a replay, so work it enqueues must be idempotent);
   * a throw retries the message.
   */
  afterFinal?: (result: SnapshotResult) => Promise<void>;
}

export function startResultsConsumer(options: ResultsConsumerOptions): ResultsConsumer {
  const { config, logger } = options;
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required to start the results consumer');
  const repository = new SnapshotsRepository(options.db);
  // Announces rows that became final, for live job events in every API process.
  const publisher = new Redis(redisOptions(config.REDIS_URL, { maxRetriesPerRequest: 1 }));
  publisher.on('error', () => {});
  const worker = new Worker(
    RESULTS_QUEUE,
    async (job) => {
      const parsed = snapshotResultSchema.safeParse(job.data);
      if (!parsed.success) {
        logger?.error({ jobId: job.id, issues: parsed.error.issues }, 'invalid snapshot result');
        throw new UnrecoverableError('invalid snapshot result message');
      }
      await options.beforeApply(parsed.data.snapshotId);
      const change = (await options.assess?.(parsed.data)) ?? null;
      const outcome = await repository.applyResult(parsed.data, change);
      if (outcome === 'applied') options.metrics?.countCapture(parsed.data.status, parsed.data.error?.code);
      logger?.info({ snapshotId: parsed.data.snapshotId, status: parsed.data.status, outcome }, 'snapshot result');
      if (outcome !== 'unknown-snapshot') {
        await options.afterFinal?.(parsed.data);
        await publisher.publish(finalChannel(config.QUEUE_PREFIX), parsed.data.snapshotId).catch(() => 0);
      }
      return outcome;
    },
    {
      connection: redisOptions(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
      concurrency: options.concurrency ?? 4,
    },
  );
  worker.on('error', (err) => logger?.warn({ err }, 'results consumer error'));
  worker.on('failed', (job, err) => logger?.warn({ jobId: job?.id, err }, 'snapshot result failed'));
  return {
    worker,
    close: async (ms = 5_000) => {
      await closeQueueClient('results consumer', worker, ms, logger);
      publisher.disconnect();
    },
  };
}
