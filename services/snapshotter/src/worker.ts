/**
 * Wiring only: snapshots queue → processor → browser pool (behind the egress proxy) → storage →
 * results queue. `close()` stops taking jobs, lets in-flight captures finish within
 * SHUTDOWN_GRACE_MS, hands the others back to the queue, then closes the browsers and the proxy;
 * every step is bounded, so a dead Redis or browser cannot hold the stop.
 */

import { hostname } from 'node:os';
import {
  bounded,
  type Config,
  checkEvictionPolicy,
  closeQueueClient,
  createLogger,
  type Logger,
  loadArchiveSigner,
  logEgressExceptions,
  type Resolver,
  redisOptions,
  SNAPSHOTS_QUEUE,
  type SnapshotJob,
  startPresence,
  storageFromConfig,
} from '@linksnap/shared';
import { type ConnectionOptions, type Job, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { type BrowserPool, launchBrowserPool } from './browser-pool.js';
import { type AdBlocker, loadAdBlocker } from './capture/adblock.js';
import { type ConcurrencyControl, createConcurrencyControl } from './concurrency/controller.js';
import { type EgressProxy, startEgressProxy } from './egress/proxy.js';
import { type MetricsServer, SnapshotterMetrics, startMetricsServer } from './metrics.js';
import { createProcessor, type ProcessorOutcome } from './processor.js';
import { createResultProducer, type ResultProducer } from './results.js';

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

/** How long a stop waits for the worker when no capture is running, and for the browsers. */
const IDLE_CLOSE_MS = 1_000;
const BROWSER_CLOSE_MS = 1_500;

/**
 * Puts captures still running after the grace period back in the wait list, so another worker
 * starts them at once instead of after the lock expires. With Redis gone this cannot work; the
 * stalled-job check hands them back later.
 */
async function handBack(inFlight: Map<Job<SnapshotJob>, string | undefined>, logger: Logger): Promise<void> {
  const jobs = [...inFlight];
  if (jobs.length === 0) return;
  logger.warn({ jobs: jobs.map(([job]) => job.id) }, 'captures still running at shutdown go back to the queue');
  await Promise.all(
    jobs.map(([job, token]) => bounded(`hand back ${job.id}`, () => job.moveToWait(token), 1_000, logger)),
  );
}

/**
 * The ad and tracker blocker, parsed once for the process. Lists that cannot be loaded leave
 * capture working without blocking, with a warning in the log (and `linksnap_adblock_filters` 0).
 */
export async function loadBlocker(
  config: Pick<Config, 'ADBLOCK' | 'ADBLOCK_EXTRA_FILTERS' | 'ADBLOCK_LISTS' | 'DATA_DIR'>,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<AdBlocker | null> {
  if (!config.ADBLOCK) return null;
  try {
    const blocker = await loadAdBlocker({
      extraFilters: config.ADBLOCK_EXTRA_FILTERS,
      lists: config.ADBLOCK_LISTS,
      cacheDir: config.DATA_DIR,
    });
    logger.info(
      { filters: blocker.filters, loadMs: blocker.loadMs, source: blocker.source },
      'ad and tracker blocking is on',
    );
    return blocker;
  } catch (err) {
    logger.warn({ err }, 'the ad and tracker filter lists could not be loaded: capturing without blocking');
    return null;
  }
}

/** The configuration of a worker that can reach its queues. */
type QueueConfig = Config & { REDIS_URL: string };

function requireRedisUrl(config: Config): asserts config is QueueConfig {
  if (!config.REDIS_URL) throw new Error('The snapshotter needs REDIS_URL (it talks to the queues through Redis).');
}

export async function startSnapshotter(config: Config, options: SnapshotterOptions = {}): Promise<Snapshotter> {
  requireRedisUrl(config);
  if (!config.S3_ENDPOINT) throw new Error('The snapshotter needs S3_ENDPOINT (artifacts go to object storage).');
  const logger = options.logger ?? createLogger(config, 'snapshotter');
  logEgressExceptions(config, logger);
  // Every WACZ is signed with the instance key; a bad configured key stops the start here.
  const signer = loadArchiveSigner(config);
  logger.info({ publicKey: signer.publicKey }, 'archives are signed with this public key');
  await checkRedisEviction(config, logger);

  const storage = storageFromConfig(config);
  await storage.ensureBucket();
  const blocker = await loadBlocker(config, logger);
  const metrics = new SnapshotterMetrics();
  const results = metrics.instrument(createResultProducer(config));
  metrics.adblockFilters.set(blocker?.filters ?? 0);
  const proxy = await startEgressProxy({
    allow: config.EGRESS_ALLOW,
    allowOnly: config.EGRESS_ALLOW_ONLY,
    resolver: options.resolver,
    logger,
    onStray: (stray) => metrics.strayRequests.inc({ listener: stray.listener }),
  });
  const concurrency = createConcurrencyControl(config, { logger });
  const pool = await launchPoolBehind(proxy, { config, concurrency, results, logger });

  metrics.watchPool(pool);
  metrics.watchConcurrency(concurrency);
  const metricsServer = await startMetricsServer(metrics, config.HOST, config.SNAPSHOTTER_METRICS_PORT, logger);
  let handingBack = false;
  const inFlight = new Map<Job<SnapshotJob>, string | undefined>();
  const processor = createProcessor({
    config,
    pool,
    proxy,
    storage,
    results,
    signer,
    blocker,
    logger,
    interrupted: () => handingBack,
  });
  const workerId = `${hostname()}:${process.pid}`;
  const worker = startWorker(config, workerId, concurrency, trackInFlight(processor, inFlight), logger);
  logger.info(
    { proxy: proxy.url, concurrency: concurrency.current(), adaptive: concurrency.adaptive, max: concurrency.max },
    'snapshotter ready',
  );
  const presence = startWorkerPresence(config, workerId, { blocker, concurrency, logger });

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= shutDown({
      config,
      logger,
      concurrency,
      presence,
      worker,
      pool,
      proxy,
      results,
      metricsServer,
      inFlight,
      onHandBack: () => {
        handingBack = true;
      },
    });
    return closing;
  };

  return { worker, pool, proxy, metricsUrl: metricsServer?.url, signingPublicKey: signer.publicKey, close };
}

/** The processor, keeping the jobs it is running in `inFlight`: what a stop past its grace hands back. */
function trackInFlight(
  processor: (job: Job<SnapshotJob>, token?: string) => Promise<ProcessorOutcome>,
  inFlight: Map<Job<SnapshotJob>, string | undefined>,
) {
  return async (job: Job<SnapshotJob>, token?: string) => {
    inFlight.set(job, token);
    try {
      return await processor(job, token);
    } finally {
      inFlight.delete(job);
    }
  };
}

/** The browsers, their traffic through `proxy`; a failed launch closes what was started before it. */
async function launchPoolBehind(
  proxy: EgressProxy,
  deps: { config: Config; concurrency: ConcurrencyControl; results: ResultProducer; logger: Logger },
): Promise<BrowserPool> {
  const { config, concurrency, results, logger } = deps;
  try {
    return await launchBrowserPool({
      config,
      maxConcurrency: concurrency.max,
      args: proxy.chromiumArgs(),
      contextOptions: proxy.contextOptions(),
      logger,
    });
  } catch (err) {
    await Promise.allSettled([proxy.close(), results.close()]);
    throw err;
  }
}

/** Everything a running snapshotter stops, in the order `shutDown` stops it. */
interface RunningParts {
  config: Config;
  logger: Logger;
  concurrency: ConcurrencyControl;
  presence: { stop(): Promise<void> };
  worker: Worker<SnapshotJob, ProcessorOutcome>;
  pool: BrowserPool;
  proxy: EgressProxy;
  results: ResultProducer;
  metricsServer: MetricsServer | null;
  inFlight: Map<Job<SnapshotJob>, string | undefined>;
  /** Called once the grace is over: captures cut short from then on were handed back, not failed. */
  onHandBack(): void;
}

/**
 * In-flight captures may finish within the grace period; with none, closing is quick unless
 * Redis is gone, and then there is nothing to wait for. Every step is bounded.
 */
async function shutDown(parts: RunningParts): Promise<void> {
  const { config, logger, concurrency, worker, pool, inFlight } = parts;
  concurrency.stop();
  // First: a stopping worker is no longer one /readyz counts on.
  await parts.presence.stop();
  const graceMs = inFlight.size > 0 ? config.SHUTDOWN_GRACE_MS : IDLE_CLOSE_MS;
  if (!(await bounded('in-flight captures', () => worker.close(), graceMs, logger))) {
    parts.onHandBack();
    await handBack(inFlight, logger);
    await closeQueueClient('snapshot worker', worker, 500, logger);
  }
  if (!(await bounded('browsers', () => pool.close(), BROWSER_CLOSE_MS, logger))) pool.kill();
  await Promise.all([
    bounded('egress proxy', () => parts.proxy.close(), 500, logger),
    parts.results.close(),
    bounded('metrics server', async () => parts.metricsServer?.close(), 500, logger),
  ]);
  logger.info('snapshotter stopped');
}

/** Jobs evicted under memory pressure would be lost silently: checked before taking any. */
async function checkRedisEviction(config: QueueConfig, logger: Logger): Promise<void> {
  const probe = new Redis({ ...redisOptions(config.REDIS_URL), maxRetriesPerRequest: 2, connectTimeout: 5_000 });
  probe.on('error', () => {});
  try {
    await checkEvictionPolicy(probe, config.NODE_ENV, logger);
  } finally {
    probe.disconnect();
  }
}

/** The BullMQ worker on the snapshots queue, its concurrency steered by `concurrency`. */
function startWorker(
  config: QueueConfig,
  workerId: string,
  concurrency: ConcurrencyControl,
  processor: (job: Job<SnapshotJob>, token?: string) => Promise<ProcessorOutcome>,
  logger: Logger,
): Worker<SnapshotJob, ProcessorOutcome> {
  const worker = new Worker<SnapshotJob, ProcessorOutcome>(SNAPSHOTS_QUEUE, concurrency.track(processor), {
    // Recorded on each job as `processedBy`, so an operator can tell which worker did what.
    name: workerId,
    prefix: config.QUEUE_PREFIX,
    // ioredis' RetryStrategy type allows null where BullMQ's copy does not; the values are the same.
    connection: redisOptions(config.REDIS_URL) as ConnectionOptions,
    concurrency: concurrency.current(),
    lockDuration: config.JOB_LOCK_MS,
    stalledInterval: config.JOB_STALLED_INTERVAL_MS,
    // A Redis outage longer than the lock stalls every running job once; that must not cost the
    // job its life. A job that stalls again still gets one more try before it is failed.
    maxStalledCount: 2,
    // The processor renews each attempt's lock itself, by token (processor.ts, holdLock):
    // BullMQ's renewal is keyed by job id and breaks when two attempts of a job meet here.
    skipLockRenewal: true,
  });
  concurrency.attach(worker);
  worker.on('error', (err) => logger.error({ err }, 'snapshot worker error'));
  worker.on('failed', (job, err) =>
    logger.debug(
      { snapshotId: job?.id, requestId: job?.data.requestId, attempts: job?.attemptsMade, err: err.message },
      'snapshot job failed',
    ),
  );
  return worker;
}

/** What /readyz shows of this worker (presence.ts in shared), until `stop()`. */
function startWorkerPresence(
  config: QueueConfig,
  workerId: string,
  about: { blocker: AdBlocker | null; concurrency: ConcurrencyControl; logger: Logger },
): { stop(): Promise<void> } {
  const { blocker, concurrency, logger } = about;
  const presenceClient = new Redis(redisOptions(config.REDIS_URL, { maxRetriesPerRequest: 1 }));
  presenceClient.on('error', () => {});
  const startedAt = new Date().toISOString();
  const presence = startPresence(
    presenceClient,
    config.QUEUE_PREFIX,
    () => ({
      id: workerId,
      startedAt,
      adblock: config.ADBLOCK ? (blocker ? 'on' : 'unavailable') : 'off',
      adblockFilters: blocker?.filters ?? 0,
      concurrency: concurrency.current(),
      maxConcurrency: concurrency.max,
    }),
    { onError: (err) => logger.debug({ err }, 'presence not written') },
  );
  return {
    stop: async () => {
      await bounded('presence', () => presence.stop(), 500, logger);
      presenceClient.disconnect();
    },
  };
}
