/**
 * Consumes the "snapshot-results" queue: each message is a finished capture, written to
 * PostgreSQL in one idempotent transaction. Replays and results for deleted links are acked.
 */
import { type Config, type Logger, RESULTS_QUEUE, redisOptions, snapshotResultSchema } from '@linksnap/shared';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Db } from '../db/database.js';
import { SnapshotsRepository } from '../domain/snapshots.repository.js';

export interface ResultsConsumer {
  worker: Worker;
  close(): Promise<void>;
}

export interface ResultsConsumerOptions {
  config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>;
  db: Db;
  logger?: Logger;
  concurrency?: number;
}

export function startResultsConsumer(options: ResultsConsumerOptions): ResultsConsumer {
  const { config, logger } = options;
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required to start the results consumer');
  const repository = new SnapshotsRepository(options.db);
  const worker = new Worker(
    RESULTS_QUEUE,
    async (job) => {
      const parsed = snapshotResultSchema.safeParse(job.data);
      if (!parsed.success) {
        logger?.error({ jobId: job.id, issues: parsed.error.issues }, 'invalid snapshot result');
        throw new UnrecoverableError('invalid snapshot result message');
      }
      const outcome = await repository.applyResult(parsed.data);
      logger?.info({ snapshotId: parsed.data.snapshotId, status: parsed.data.status, outcome }, 'snapshot result');
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
  return { worker, close: () => worker.close() };
}
