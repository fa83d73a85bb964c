/**
 * The API's side of the "snapshots" queue: adds capture jobs (jobId = snapshot id, so a retry
 * of the same add is a no-op), reads their live state for GET /v1/jobs/{id} and marks those
 * whose snapshot is final or deleted (see job-status.ts).
 */
import {
  type Config,
  closeQueueClient,
  parseJsonAs,
  redisOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  type SnapshotterStatus,
  snapshotJobOptions,
  snapshotJobSchema,
  withTimeout,
} from '@linksnap/shared';
import { Queue } from 'bullmq';
import type { JobStateSource, QueueJobState } from '../domain/jobs.service.js';
import type { SnapshotEnqueuer } from '../domain/links.service.js';
import type { DeletedSnapshots } from '../domain/links-admin.service.js';
import { type JobStatus, JobStatusReader, TOMBSTONE_SECONDS } from './job-status.js';

const ADD_TIMEOUT_MS = 5_000;
/** Reads on the request path: while Redis reconnects, BullMQ would wait for it; answer 503 instead. */
const READ_TIMEOUT_MS = 2_000;

/** Whose capture of which link, requested when: from the payload the API itself enqueued. */
function payloadOf(data: string): QueueJobState['payload'] {
  const job = parseJsonAs(snapshotJobSchema, data);
  if (!job) return undefined;
  const { userId, linkId, requestedAt, upload } = job;
  return { userId, linkId, requestedAt: new Date(requestedAt), source: upload ? 'upload' : 'capture' };
}

export class SnapshotQueue implements SnapshotEnqueuer, JobStateSource, DeletedSnapshots {
  readonly queue: Queue;
  private readonly status: JobStatusReader;

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
    this.status = new JobStatusReader(config, this.queue.qualifiedName, READ_TIMEOUT_MS);
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

  /** A batch's jobs in one round trip (BullMQ addBulk, one MULTI): a pasted list need not wait for N adds. */
  async enqueueMany(jobs: readonly SnapshotJob[]): Promise<void> {
    const bulk = jobs.map((job) => {
      const data = snapshotJobSchema.parse(job);
      const opts = snapshotJobOptions(data.snapshotId, this.config.CAPTURE_ATTEMPTS, this.config.CAPTURE_BACKOFF_MS);
      return { name: SNAPSHOTS_QUEUE, data, opts };
    });
    await withTimeout(this.queue.addBulk(bulk), ADD_TIMEOUT_MS, 'enqueue');
  }

  async getJobState(id: string): Promise<QueueJobState | null> {
    const job: JobStatus | null = await this.status.lookup(id);
    if (!job) return null;
    const { state, progress, attemptsMade, settled } = job;
    return { state, progress, attemptsMade, settled, payload: payloadOf(job.data) };
  }

  /** Before a final row is written: polls read PostgreSQL from then on. */
  async markFinal(id: string): Promise<void> {
    await this.status.settle([id]);
  }

  /** Before unfinished snapshots are deleted: their jobs (even one still being added) stop answering. */
  async markDeleted(ids: readonly string[]): Promise<void> {
    await this.status.settle(ids, TOMBSTONE_SECONDS);
  }

  /** Jobs that ended failed since `since` (epoch ms), for the reconciler's watch. */
  failedSince(since: number, limit = 1000): Promise<string[]> {
    return this.status.failedSince(since, limit);
  }

  async ping(): Promise<void> {
    // A cheap round trip through the same connection the producer uses.
    await withTimeout(this.queue.getJobCounts('wait'), READ_TIMEOUT_MS, 'queue ping');
  }

  /** The snapshotters that are running, as they last reported themselves (presence.ts). */
  async snapshotters(): Promise<SnapshotterStatus[]> {
    return this.status.snapshotters(this.config.QUEUE_PREFIX);
  }

  /** Within `ms`: with Redis gone, the connections are dropped instead of awaited. */
  async close(ms = 5_000): Promise<void> {
    await Promise.all([closeQueueClient('snapshot queue', this.queue, ms), this.status.close()]);
  }
}
