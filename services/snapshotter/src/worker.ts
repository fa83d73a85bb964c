/**
 * Wiring only: snapshots queue → processor → browser pool (behind the egress proxy) → storage →
 * results queue. `close()` stops taking jobs, lets in-flight captures finish within
 * SHUTDOWN_GRACE_MS, then closes the browsers and the proxy.
 */

import { hostname } from 'node:os';
import {
  type Config,
  checkEvictionPolicy,
  createLogger,
  type Logger,
  loadArchiveSigner,
  logEgressExceptions,
  type Resolver,
  redisOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  storageFromConfig,
} from '@linksnap/shared';
import { type ConnectionOptions, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type BrowserPool, launchBrowserPool } from './browser-pool.js';
import { type EgressProxy, startEgressProxy } from './egress/proxy.js';
import { SnapshotterMetrics, startMetricsServer } from './metrics.js';
import { createProcessor, type ProcessorOutcome } from './processor.js';
import { createResultProducer } from './results.js';

export interface SnapshotterOptions {
  logger?: Logger;
  /** DNS for the egress guard; tests inject hostile resolvers. */
  resolver?: Resolver;
}

export interface Snapshotter {
  worker: Worker<SnapshotJob, ProcessorOutcome>;
  pool: BrowserPool;
  proxy: EgressProxy;
  /** Prometheus endpoint, when SNAPSHOTTER_METRICS_PORT is not 0. */
  metricsUrl?: string;
  /** base64 SPKI of the key that signs this worker's WACZ archives. */
  signingPublicKey: string;
  close(): Promise<void>;
}

export async function startSnapshotter(config: Config, options: SnapshotterOptions = {}): Promise<Snapshotter> {
  if (!config.REDIS_URL) throw new Error('The snapshotter needs REDIS_URL (it talks to the queues through Redis).');
  if (!config.S3_ENDPOINT) throw new Error('The snapshotter needs S3_ENDPOINT (artifacts go to object storage).');
  const logger = options.logger ?? createLogger(config, 'snapshotter');
  logEgressExceptions(config, logger);
  // Every WACZ is signed with the instance key; a bad configured key stops the start here.
  const signer = loadArchiveSigner(config);
  logger.info({ publicKey: signer.publicKey }, 'archives are signed with this public key');
  // Jobs evicted under memory pressure would be lost silently: check before taking any.
  const probe = new Redis({ ...redisOptions(config.REDIS_URL), maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  probe.on('error', () => {});
  try {
    await checkEvictionPolicy(probe, config.NODE_ENV, logger);
  } finally {
    probe.disconnect();
  }

  const storage = storageFromConfig(config);
  await storage.ensureBucket();
  const metrics = new SnapshotterMetrics();
  const results = metrics.instrument(createResultProducer(config));
  const proxy = await startEgressProxy({
    allow: config.EGRESS_ALLOW,
    allowOnly: config.EGRESS_ALLOW_ONLY,
    resolver: options.resolver,
    logger,
  });
  let pool: BrowserPool;
  try {
    pool = await launchBrowserPool({
      config,
      args: proxy.chromiumArgs(),
      contextOptions: proxy.contextOptions(),
      logger,
    });
  } catch (err) {
    await Promise.allSettled([proxy.close(), results.close()]);
    throw err;
  }

  metrics.watchPool(pool);
  const metricsServer = await startMetricsServer(metrics, config.HOST, config.SNAPSHOTTER_METRICS_PORT, logger);
  const processor = createProcessor({ config, pool, proxy, storage, results, signer, logger });
  const worker = new Worker<SnapshotJob, ProcessorOutcome>(SNAPSHOTS_QUEUE, processor, {
    // Recorded on each job as `processedBy`, so an operator can tell which worker did what.
    name: `${hostname()}:${process.pid}`,
    prefix: config.QUEUE_PREFIX,
    // ioredis' RetryStrategy type allows null where BullMQ's copy does not; the values are the same.
    connection: redisOptions(config.REDIS_URL) as ConnectionOptions,
    concurrency: config.CAPTURE_CONCURRENCY,
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_STALLED_INTERVAL_MS,
    // A Redis outage longer than the lock stalls every running job once; that must not cost the
    // job its life. A job that stalls again still gets one more try before it is failed.
    maxStalledCount: 2,
    // The processor renews each attempt's lock itself, by token (processor.ts, holdLock):
    // BullMQ's renewal is keyed by job id and breaks when two attempts of a job meet here.
    skipLockRenewal: true,
  });
  worker.on('error', (err) => logger.error({ err }, 'snapshot worker error'));
  worker.on('failed', (job, err) =>
    logger.debug(
      { snapshotId: job?.id, requestId: job?.data.requestId, attempts: job?.attemptsMade, err: err.message },
      'snapshot job failed',
    ),
  );
  logger.info({ proxy: proxy.url, concurrency: config.CAPTURE_CONCURRENCY }, 'snapshotter ready');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.SHUTDOWN_GRACE_MS);
      });
      const outcome = await Promise.race([worker.close().then(() => 'closed' as const), graceOver]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn({ graceMs: config.SHUTDOWN_GRACE_MS }, 'in-flight captures did not finish; forcing shutdown');
        await worker.close(true).catch(() => undefined);
      }
      await pool.close();
      await Promise.allSettled([proxy.close(), results.close(), metricsServer?.close()]);
      logger.info('snapshotter stopped');
    })();
    return closing;
  };

  return { worker, pool, proxy, metricsUrl: metricsServer?.url, signingPublicKey: signer.publicKey, close };
}
