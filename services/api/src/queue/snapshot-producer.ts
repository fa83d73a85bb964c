/**
 * The API's side of the "snapshots" queue: adds capture jobs (jobId = snapshot id, so a retry
 * of the same add is a no-op) and reads their live state for GET /v1/jobs/{id}.
 */
import {
  type Config,
  redisOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  snapshotJobOptions,
  snapshotJobSchema,
} from '@linksnap/shared';
import { Queue } from 'bullmq';
import type { JobStateSource, QueueJobState } from '../domain/jobs.service.js';
import type { SnapshotEnqueuer } from '../domain/links.service.js';

const ADD_TIMEOUT_MS = 5_000;
/** Reads on the request path: while Redis reconnects, BullMQ would wait for it; answer 503 instead. */
const READ_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SnapshotQueue implements SnapshotEnqueuer, JobStateSource {
  readonly queue: Queue;

  constructor(
    private readonly config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX' | 'CAPTURE_ATTEMPTS' | 'CAPTURE_BACKOFF_MS'>,
  ) {
    if (!config.REDIS_URL) throw new Error('REDIS_URL is required to start the API');
    // Producers fail fast when Redis is down (the request answers 503) instead of queueing commands.
    this.queue = new Queue(SNAPSHOTS_QUEUE, {
      connection: redisOptions(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
      prefix: config.QUEUE_PREFIX,
    });
    this.queue.on('error', () => {});
  }

  async enqueue(job: SnapshotJob, priority?: number): Promise<void> {
    const data = snapshotJobSchema.parse(job);
    await withTimeout(
      this.queue.add(SNAPSHOTS_QUEUE, data, {
        ...snapshotJobOptions(data.snapshotId, this.config.CAPTURE_ATTEMPTS, this.config.CAPTURE_BACKOFF_MS),
        ...(priority === undefined ? {} : { priority }),
      }),
      ADD_TIMEOUT_MS,
      'enqueue',
    );
  }

  async getJobState(id: string): Promise<QueueJobState | null> {
    // Both reads go out together: one round trip instead of two (not atomic, nor were they).
    const [job, raw] = await withTimeout(
      Promise.all([this.queue.getJob(id), this.queue.getJobState(id)]),
      READ_TIMEOUT_MS,
      'job lookup',
    );
    if (!job) return null;
    const state: QueueJobState['state'] =
      raw === 'active'
        ? 'active'
        : raw === 'completed'
          ? 'completed'
          : raw === 'failed'
            ? 'failed'
            : raw === 'unknown'
              ? 'unknown'
              : 'queued';
    if (state === 'unknown') return null;
    return { state, progress: job.progress, attemptsMade: job.attemptsMade, failedReason: job.failedReason };
  }

  async ping(): Promise<void> {
    // A cheap round trip through the same connection the producer uses.
    await withTimeout(this.queue.getJobCounts('wait'), READ_TIMEOUT_MS, 'queue ping');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
