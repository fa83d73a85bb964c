/**
 * Live job events for SSE: BullMQ QueueEvents (progress, completed, failed) on the snapshots
 * queue, plus a Redis pub/sub channel on which the results consumer announces a snapshot whose
 * final row is written. One pair of connections per API process, opened on first use, fanned
 * out to every open stream of that job.
 */
import { bounded, type Config, closeQueueClient, redisOptions, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { type ConnectionOptions, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

/** Channel the results consumer publishes a snapshot id on, after its transaction. */
export const finalChannel = (prefix: string) => `${prefix}:snapshot-final`;

export type JobEvent = { type: 'progress'; progress: unknown } | { type: 'settled' } | { type: 'final' };
type Listener = (event: JobEvent) => void;

export class JobEventsHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private started: Promise<void> | undefined;
  private queueEvents: QueueEvents | undefined;
  private subscriber: Redis | undefined;

  constructor(private readonly config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>) {}

  /** Listens to one job's events until the returned function is called. */
  async subscribe(jobId: string, listener: Listener): Promise<() => void> {
    await this.start();
    const set = this.listeners.get(jobId) ?? new Set<Listener>();
    this.listeners.set(jobId, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  private emit(jobId: string, event: JobEvent): void {
    for (const listener of this.listeners.get(jobId) ?? []) listener(event);
  }

  private start(): Promise<void> {
    this.started ??= (async () => {
      if (!this.config.REDIS_URL) throw new Error('REDIS_URL is required for job events');
      const connection = redisOptions(this.config.REDIS_URL) as ConnectionOptions;
      const queueEvents = new QueueEvents(SNAPSHOTS_QUEUE, { connection, prefix: this.config.QUEUE_PREFIX });
      queueEvents.on('error', () => {});
      queueEvents.on('progress', ({ jobId, data }) => this.emit(jobId, { type: 'progress', progress: data }));
      // The row may not be written yet: streams re-read it, and wait for `final` if it is not.
      queueEvents.on('completed', ({ jobId }) => this.emit(jobId, { type: 'settled' }));
      queueEvents.on('failed', ({ jobId }) => this.emit(jobId, { type: 'settled' }));
      this.queueEvents = queueEvents;
      const subscriber = new Redis(redisOptions(this.config.REDIS_URL));
      subscriber.on('error', () => {});
      subscriber.on('message', (_channel, jobId: string) => this.emit(jobId, { type: 'final' }));
      this.subscriber = subscriber;
      await Promise.all([queueEvents.waitUntilReady(), subscriber.subscribe(finalChannel(this.config.QUEUE_PREFIX))]);
    })();
    return this.started;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    // Bounded: with Redis gone, QUIT and the events stream wait for a reconnection.
    const subscriber = this.subscriber;
    await Promise.all([
      this.queueEvents && closeQueueClient('job events', this.queueEvents, 1_000),
      subscriber && bounded('job events subscriber', () => subscriber.quit(), 1_000),
    ]);
    subscriber?.disconnect();
  }
}
