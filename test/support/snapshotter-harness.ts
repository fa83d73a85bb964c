/**
 * The snapshotter driven directly, without the API: real Redis, the embedded S3 server and
 * Chromium, jobs on the snapshots queue and results read off the results queue. Name
 * resolution always fails, so nothing but the allow-listed 127.0.0.1 servers is reached.
 */
import { randomUUID } from 'node:crypto';
import {
  type Config,
  type ObjectStorage,
  parseConfig,
  RESULTS_QUEUE,
  redisOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  type SnapshotResult,
  snapshotJobOptions,
  storageFromConfig,
} from '@linksnap/shared';
import { type Snapshotter, startSnapshotter } from '@linksnap/snapshotter/worker';
import { type ConnectionOptions, Queue } from 'bullmq';
import { startTestS3, testEnv } from './services.js';

export interface SnapshotterHarness {
  config: Config;
  snapshotter: Snapshotter;
  storage: ObjectStorage;
  /** `extra`: more of the job's payload (e.g. archiveBases). */
  enqueue(url: string, extra?: Partial<SnapshotJob>): Promise<string>;
  resultOf(snapshotId: string, timeoutMs?: number): Promise<SnapshotResult>;
  /** Artifact body by kind, from a result. */
  artifact(result: SnapshotResult, kind: string): Promise<Buffer>;
  close(): Promise<void>;
}

/** Adds a snapshot job for `url` as the API would (same options), and returns its id. */
export async function enqueueSnapshot(
  jobs: Queue<SnapshotJob>,
  config: Pick<Config, 'CAPTURE_ATTEMPTS' | 'CAPTURE_BACKOFF_MS'>,
  url: string,
  extra: Partial<SnapshotJob> = {},
): Promise<string> {
  const snapshotId = randomUUID();
  const job: SnapshotJob = {
    snapshotId,
    linkId: randomUUID(),
    userId: randomUUID(),
    url,
    requestedAt: new Date().toISOString(),
    ...extra,
  };
  await jobs.add(snapshotId, job, snapshotJobOptions(snapshotId, config.CAPTURE_ATTEMPTS, config.CAPTURE_BACKOFF_MS));
  return snapshotId;
}

/** Polls the results queue for the snapshot's result message. */
export async function waitForResult(
  results: Queue<SnapshotResult>,
  snapshotId: string,
  timeoutMs: number,
): Promise<SnapshotResult> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const message = await results.getJob(snapshotId);
    if (message) return message.data;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no result for ${snapshotId} within ${timeoutMs} ms`);
}

export async function startSnapshotterHarness(options: {
  allow: string[];
  extra?: Record<string, string>;
}): Promise<SnapshotterHarness> {
  const s3 = await startTestS3();
  const config = parseConfig(testEnv({ s3, databaseUrl: null, allow: options.allow, extra: options.extra }));
  const connection = redisOptions(config.REDIS_URL as string) as ConnectionOptions;
  const jobs = new Queue<SnapshotJob>(SNAPSHOTS_QUEUE, { prefix: config.QUEUE_PREFIX, connection });
  const results = new Queue<SnapshotResult>(RESULTS_QUEUE, { prefix: config.QUEUE_PREFIX, connection });
  const storage = storageFromConfig(config);
  const snapshotter = await startSnapshotter(config, {
    resolver: async (name) => {
      throw new Error(`tests resolve no names (${name})`);
    },
  });
  return {
    config,
    snapshotter,
    storage,
    enqueue: (url, extra) => enqueueSnapshot(jobs, config, url, extra),
    resultOf: (snapshotId, timeoutMs = 60_000) => waitForResult(results, snapshotId, timeoutMs),
    artifact: async (result, kind) => {
      const found = result.artifacts.find((a) => a.kind === kind);
      if (!found) throw new Error(`no ${kind} artifact`);
      return storage.getBuffer(found.key);
    },
    close: async () => {
      await snapshotter.close();
      await jobs.obliterate({ force: true }).catch(() => undefined);
      await results.obliterate({ force: true }).catch(() => undefined);
      await Promise.allSettled([jobs.close(), results.close()]);
      await s3.close();
    },
  };
}
