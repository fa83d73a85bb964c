/**
 * Starts the whole API in this process: database (with migrations), bucket, snapshot queue,
 * results consumer and the HTTP listener. Used by server.ts, the launcher and e2e tests.
 */
import type { AddressInfo } from 'node:net';
import {
  archivePort,
  bounded,
  type Config,
  cachingResolver,
  closeQueueClient,
  createLogger,
  type Logger,
  logEgressExceptions,
  type ObjectStorage,
  type Resolver,
  storageFromConfig,
  systemResolver,
} from '@linksnap/shared';

import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { buildArchiveApp } from './archive-app.js';
import { buildServices, type Services } from './container.js';
import { type Database, openDatabase } from './db/database.js';
import { SCHEDULED_PRIORITY } from './domain/schedules.service.js';
import { loadJwtSecret } from './domain/tokens.js';
import { ArchiveSite } from './http/archive-site.js';
import { ApiMetrics } from './http/metrics.js';
import { type BlobSweeper, startBlobSweeper } from './queue/blob-sweeper.js';
import { startRecaptureWorker } from './queue/recapture-scheduler.js';
import { type Reconciler, startReconciler } from './queue/reconciler.js';
import { checkRedisEviction } from './queue/redis-check.js';
import { type ResultsConsumer, startResultsConsumer } from './queue/results-consumer.js';
import { SnapshotQueue } from './queue/snapshot-producer.js';
import { startWebhookWorker, WebhookDispatcher } from './queue/webhooks.js';
import { SearchIndexer } from './search/search-indexer.js';

export interface ApiOptions {
  logger?: Logger;
  /** Run the results consumer in this process (default true). */
  consumeResults?: boolean;
  /** DNS resolver for the submit-time egress check (tests inject hostile answers). */
  resolver?: Resolver;
  /** Build the separate archive app (startApi does, unless ARCHIVE_ORIGIN is set). */
  archiveListener?: boolean;
}

export interface Api {
  app: FastifyInstance;
  /** Serves only the archive routes on ARCHIVE_PORT (null with ARCHIVE_ORIGIN or inject-only). */
  archiveApp: FastifyInstance | null;
  archiveSite: ArchiveSite;
  database: Database;
  storage: ObjectStorage;
  snapshotQueue: SnapshotQueue;
  consumer: ResultsConsumer | null;
  /** Keeps search documents current and backfills existing links. */
  searchIndexer: SearchIndexer;
  /** Repairs snapshot rows stuck without a queue job (null when results are consumed elsewhere). */
  reconciler: Reconciler | null;
  /** Removes artifact bodies no version references (ADR 0017); null where results are not consumed. */
  blobSweeper: BlobSweeper | null;
  logger: Logger;
  /** Stops accepting requests, drains them, then closes consumer, queue and database. */
  close(): Promise<void>;
}

export interface RunningApi extends Api {
  url: string;
  /** The archive listener's URL (null with ARCHIVE_ORIGIN). */
  archiveUrl: string | null;
}

function requireExternalServices(config: Config): { redis: string; s3: string; accessKey: string; secretKey: string } {
  const missing = (['REDIS_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const).filter(
    (key) => config[key] === undefined,
  );
  if (missing.length > 0) {
    throw new Error(
      `The API needs ${missing.join(', ')}: set them, or start it through the launcher, which provides embedded Redis and S3.`,
    );
  }
  return {
    redis: config.REDIS_URL as string,
    s3: config.S3_ENDPOINT as string,
    accessKey: config.S3_ACCESS_KEY as string,
    secretKey: config.S3_SECRET_KEY as string,
  };
}

/** Everything but the listener: tests use `api.app.inject`. */
export async function createApi(config: Config, options: ApiOptions = {}): Promise<Api> {
  const external = requireExternalServices(config);
  const logger = options.logger ?? createLogger(config, 'api');
  logEgressExceptions(config, logger);
  const storage = storageFromConfig(config);
  await storage.ensureBucket();
  const database = await openDatabase(config, logger);
  const snapshotQueue = new SnapshotQueue(config);
  try {
    await checkRedisEviction(external.redis, config.NODE_ENV, logger);
  } catch (err) {
    await Promise.allSettled([snapshotQueue.close(), database.close()]);
    throw err;
  }
  const metrics = new ApiMetrics();
  const searchIndexer = new SearchIndexer(database.db, logger.child({ component: 'search-indexer' }), {
    onIndexed: (n) => metrics.searchIndexed.inc(n),
  });
  metrics.watchSearchBacklog(() => searchIndexer.repository.staleCount());
  const jwtSecret = loadJwtSecret(config);
  // Every service of this process, built once (container.ts).
  const services = buildServices({
    config,
    database,
    storage,
    snapshotQueue,
    jwtSecret,
    // Submissions burst: concurrent lookups of one name share one, answers are reused briefly.
    resolver: options.resolver ?? cachingResolver(systemResolver),
  });
  const workers =
    options.consumeResults === false
      ? null
      : startWorkers({
          config,
          database,
          storage,
          snapshotQueue,
          services,
          metrics,
          searchIndexer,
          logger,
          resolver: options.resolver,
        });
  const archiveSite = new ArchiveSite(
    config.ARCHIVE_ORIGIN,
    options.archiveListener === true && !config.ARCHIVE_ORIGIN,
  );
  const app = buildApp({ config, database, storage, snapshotQueue, services, logger, metrics, archiveSite });
  const archiveApp = archiveSite.separate
    ? buildArchiveApp({ links: services.archive, site: archiveSite, logger, trustProxy: config.TRUST_PROXY })
    : null;
  searchIndexer.start();
  const close = closer({ config, logger, app, archiveApp, workers, searchIndexer, services, snapshotQueue, database });
  return {
    app,
    archiveApp,
    archiveSite,
    database,
    storage,
    snapshotQueue,
    consumer: workers?.consumer ?? null,
    searchIndexer,
    reconciler: workers?.reconciler ?? null,
    blobSweeper: workers?.blobSweeper ?? null,
    logger,
    close,
  };
}

/**
 * The stop of everything createApi opened, once however often it is called: requests drain,
 * then the workers and queue clients close, then the database. Every step is bounded: whatever
 * died first (Redis, PostgreSQL, S3), the stop finishes.
 */
function closer(parts: {
  config: Config;
  logger: Logger;
  app: FastifyInstance;
  archiveApp: FastifyInstance | null;
  workers: ReturnType<typeof startWorkers> | null;
  searchIndexer: SearchIndexer;
  services: Services;
  snapshotQueue: SnapshotQueue;
  database: Database;
}): () => Promise<void> {
  const { config, logger, app, archiveApp, workers, searchIndexer, services, snapshotQueue, database } = parts;
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      await Promise.all([
        drainRequests(app, Math.min(config.SHUTDOWN_GRACE_MS, DRAIN_MS), logger),
        archiveApp && drainRequests(archiveApp, Math.min(config.SHUTDOWN_GRACE_MS, DRAIN_MS), logger),
      ]);
      await Promise.all([
        workers?.close(),
        bounded('search indexer', () => searchIndexer.close(), STEP_MS, logger),
        closeQueueClient('recapture queue', services.recaptures.queue, STEP_MS, logger),
        snapshotQueue.close(STEP_MS),
      ]);
      await bounded('database', () => database.close(), STEP_MS, logger);
    })();
    return closing;
  };
}

/**
 * The API process's background work (all or none, `consumeResults`): the results consumer with
 * the webhook deliveries it enqueues, scheduled re-captures, the reconciler and the blob sweeper.
 */
function startWorkers(deps: {
  config: Config;
  database: Database;
  storage: ObjectStorage;
  snapshotQueue: SnapshotQueue;
  services: Services;
  metrics: ApiMetrics;
  searchIndexer: SearchIndexer;
  logger: Logger;
  resolver?: Resolver;
}) {
  const { config, database, storage, snapshotQueue, services, metrics, searchIndexer, logger } = deps;
  const { versions } = services;
  // Webhook deliveries are enqueued by the results consumer and sent by this process.
  const dispatcher = new WebhookDispatcher(config, database.db);
  const webhookWorker = startWebhookWorker({ config, db: database.db, logger, resolver: deps.resolver });
  const consumer = startResultsConsumer({
    config,
    db: database.db,
    logger,
    metrics,
    beforeApply: (id) => snapshotQueue.markFinal(id),
    assess: (r) => versions.assess(r),
    afterFinal: async (r) => {
      searchIndexer.kick();
      await dispatcher.dispatch(r);
      const outcome = await versions.outcome(r.snapshotId);
      if (outcome) await dispatcher.dispatchChange(outcome);
    },
  });
  const recaptures = startRecaptureWorker({
    config,
    schedules: services.schedules,
    capture: (userId, linkId) => services.links.capture(userId, linkId, undefined, SCHEDULED_PRIORITY),
    logger: logger.child({ component: 'recaptures' }),
  });
  const reconciler = startReconciler({
    config,
    db: database.db,
    snapshotQueue,
    logger: logger.child({ component: 'reconciler' }),
  });
  const blobSweeper = startBlobSweeper({
    config,
    db: database.db,
    storage,
    logger: logger.child({ component: 'blob-sweeper' }),
  });
  /** Each step bounded (STEP_MS), side by side. */
  const close = () =>
    Promise.all([
      bounded('reconciler', () => reconciler.close(), STEP_MS, logger),
      bounded('blob sweeper', () => blobSweeper.close(), STEP_MS, logger),
      consumer.close(STEP_MS),
      closeQueueClient('webhook worker', webhookWorker, STEP_MS, logger),
      closeQueueClient('recapture worker', recaptures, STEP_MS, logger),
      closeQueueClient('webhook queue', dispatcher.queue, STEP_MS, logger),
    ]);
  return { consumer, reconciler, blobSweeper, close };
}

/** Longest wait for requests in flight at SIGTERM, and for each later step of a stop. */
const DRAIN_MS = 3_000;
const STEP_MS = 1_500;

/**
 * Requests in flight at SIGTERM finish; keep-alive sockets are dropped as soon as they go idle
 * (otherwise close would wait for the keep-alive timeout), and all of them once the budget is over.
 */
async function drainRequests(app: FastifyInstance, ms: number, logger: Logger): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
  const drained = await bounded('http drain', () => app.close(), ms, logger);
  clearInterval(sweep);
  if (!drained) app.server.closeAllConnections();
}

/**
 * createApi, then listen on HOST:PORT — and, without ARCHIVE_ORIGIN, on HOST:ARCHIVE_PORT for
 * the archive routes — and log the URLs.
 */
export async function startApi(config: Config, options: ApiOptions = {}): Promise<RunningApi> {
  const api = await createApi(config, { archiveListener: true, ...options });
  try {
    await api.app.listen({ host: config.HOST, port: config.PORT });
    await api.archiveApp?.listen({ host: config.HOST, port: archivePort(config) });
  } catch (err) {
    await api.close();
    throw err;
  }
  const url = listeningUrl(api.app);
  const archiveUrl = api.archiveApp ? listeningUrl(api.archiveApp) : null;
  api.archiveSite.listening(portOf(api.app), api.archiveApp ? portOf(api.archiveApp) : undefined);
  api.logger.info({ url, archiveUrl }, `api listening on ${url}${archiveUrl ? `, archives on ${archiveUrl}` : ''}`);
  return { ...api, url, archiveUrl };
}

const portOf = (app: FastifyInstance) => (app.server.address() as AddressInfo).port;

function listeningUrl(app: FastifyInstance): string {
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
