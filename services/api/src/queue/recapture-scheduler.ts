/**
 * The "recaptures" queue: one BullMQ job scheduler per scheduled link or tag (upsertJobScheduler,
 * so a schedule lives in Redis, survives restarts, and each firing is one job that exactly one
 * of N API processes runs), plus the delayed one-off jobs a tag's firing fans out per link.
 * The worker runs in every API process that consumes results.
 */
import { type Config, type Logger, redisOptions, withTimeout } from '@linksnap/shared';
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Capture, RecaptureJob, ScheduleStore, SchedulesService } from '../domain/schedules.service.js';

export const RECAPTURE_QUEUE = 'recaptures';

type QueueConfig = Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>;

/** While Redis reconnects BullMQ would wait for it; requests answer 503 instead. */
const OP_TIMEOUT_MS = 2_000;

const KEEP = {
  removeOnComplete: { age: 7 * 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1_000 },
};

export class RecaptureScheduler implements ScheduleStore {
  readonly queue: Queue<RecaptureJob>;

  constructor(config: QueueConfig) {
    if (!config.REDIS_URL) throw new Error('REDIS_URL is required for schedules');
    this.queue = new Queue<RecaptureJob>(RECAPTURE_QUEUE, {
      connection: redisOptions(config.REDIS_URL, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
      }) as ConnectionOptions,
      prefix: config.QUEUE_PREFIX,
    });
    this.queue.on('error', () => {});
  }

  async upsert(id: string, pattern: string, job: RecaptureJob): Promise<void> {
    const template = { attempts: 3, backoff: { type: 'exponential', delay: 5_000 }, ...KEEP };
    await withTimeout(
      this.queue.upsertJobScheduler(id, { pattern, tz: 'UTC' }, { name: job.kind, data: job, opts: template }),
      OP_TIMEOUT_MS,
      'schedule upsert',
    );
  }

  async remove(id: string): Promise<void> {
    await withTimeout(this.queue.removeJobScheduler(id), OP_TIMEOUT_MS, 'schedule removal');
  }

  async next(id: string): Promise<number | null> {
    const scheduler = await withTimeout(this.queue.getJobScheduler(id), OP_TIMEOUT_MS, 'schedule read');
    return scheduler?.next ?? null;
  }

  async addOnce(jobId: string, job: RecaptureJob, delayMs: number): Promise<void> {
    await this.queue.add(job.kind, job, {
      jobId,
      delay: delayMs,
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      ...KEEP,
    });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export function startRecaptureWorker(options: {
  config: QueueConfig;
  schedules: SchedulesService;
  capture: Capture;
  logger?: Logger;
}): Worker<RecaptureJob> {
  const { config, logger } = options;
  const worker = new Worker<RecaptureJob>(
    RECAPTURE_QUEUE,
    async (job) => {
      // Job ids of scheduler firings carry ':' (`repeat:<scheduler>:<time>`); fan-out ids may not.
      const outcome = await options.schedules.fire(job.data, String(job.id).replaceAll(':', '-'), options.capture);
      logger?.info({ jobId: job.id, job: job.data, outcome }, 'scheduled capture');
      return outcome;
    },
    {
      connection: redisOptions(config.REDIS_URL as string) as ConnectionOptions,
      prefix: config.QUEUE_PREFIX,
      concurrency: 2,
    },
  );
  worker.on('error', (err) => logger?.warn({ err }, 'recapture worker error'));
  worker.on('failed', (job, err) => logger?.warn({ jobId: job?.id, err: err.message }, 'scheduled capture failed'));
  return worker;
}
