/**
 * Result producer: one message per finished snapshot on the results queue, job id = snapshot
 * id, so a replayed delivery is a no-op. The API writes PostgreSQL from it; this worker never does.
 */
import {
  type Config,
  closeQueueClient,
  RESULTS_QUEUE,
  redisOptions,
  resultJobOptions,
  type SnapshotResult,
  type SnapshotResultInput,
  snapshotResultSchema,
} from '@linksnap/shared';
import { type ConnectionOptions, Queue } from 'bullmq';

export interface ResultProducer {
  send(result: SnapshotResultInput): Promise<SnapshotResult>;
  /** True when a result for this snapshot was already sent (another attempt won the race). */
  exists(snapshotId: string): Promise<boolean>;
  close(): Promise<void>;
}

export function createResultProducer(config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>): ResultProducer {
  if (!config.REDIS_URL) throw new Error('REDIS_URL is required for the results queue.');
  const queue = new Queue(RESULTS_QUEUE, {
    prefix: config.QUEUE_PREFIX,
    connection: redisOptions(config.REDIS_URL) as ConnectionOptions,
  });
  return {
    send: async (input) => {
      // Validate here: a malformed message would fail in the API, far from its cause.
      const result = snapshotResultSchema.parse(input);
      await queue.add(result.snapshotId, result, resultJobOptions(result.snapshotId));
      return result;
    },
    exists: async (snapshotId) => (await queue.getJob(snapshotId)) !== undefined,
    close: () => closeQueueClient('results queue', queue, 1_000),
  };
}
