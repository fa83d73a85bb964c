/**
 * Builds the Fastify instance (routes, auth, error handling) from already-opened
 * dependencies. It never listens: server.ts/main.ts boot it, tests call `inject`.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import {
  type Config,
  cachingResolver,
  closeQueueClient,
  type Logger,
  loadArchiveSigner,
  type ObjectStorage,
  RESULTS_QUEUE,
  type Resolver,
  systemResolver,
  WEBHOOKS_QUEUE,
} from '@linksnap/shared';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from './db/database.js';
import { ApiKeysRepository } from './domain/api-keys.repository.js';
import { ApiKeysService } from './domain/api-keys.service.js';
import { ArchiveLinks } from './domain/archive-links.js';
import { BlobsRepository } from './domain/blobs.repository.js';
import { JobsService } from './domain/jobs.service.js';
import { LinksRepository } from './domain/links.repository.js';
import { LinksService } from './domain/links.service.js';
import { SchedulesRepository } from './domain/schedules.repository.js';
import { SchedulesService } from './domain/schedules.service.js';
import { SnapshotsRepository } from './domain/snapshots.repository.js';
import { SnapshotsService } from './domain/snapshots.service.js';
import { StandaloneArchives } from './domain/standalone-archive.js';
import { deriveKey, loadJwtSecret, TokenService } from './domain/tokens.js';
import { UsageService } from './domain/usage.service.js';
import { UsersRepository } from './domain/users.repository.js';
import { UsersService } from './domain/users.service.js';
import { VersionsRepository } from './domain/versions.repository.js';
import { VersionsService } from './domain/versions.service.js';
import { WebhooksRepository } from './domain/webhooks.repository.js';
import { WebhooksService } from './domain/webhooks.service.js';
import { ArchiveSite } from './http/archive-site.js';
import { authenticate, registerAuth } from './http/auth.js';
import { registerErrorHandling } from './http/error-handler.js';
import { ApiMetrics, registerMetrics } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { registerQueueDashboard } from './http/queue-dashboard.js';
import { RateLimiter, registerRateLimits, registerRouteLimit } from './http/rate-limit.js';
import { replayRoutes } from './http/replay.js';
import { lazyChildLoggerFactory } from './http/request-logger.js';
import { registerSecurityHeaders } from './http/security-headers.js';
import { serializerCompiler } from './http/serializers.js';
import { registerWeb } from './http/web.js';
import { JobEventsHub } from './queue/job-events.js';
import { RECAPTURE_QUEUE, RecaptureScheduler } from './queue/recapture-scheduler.js';
import type { SnapshotQueue } from './queue/snapshot-producer.js';

import { adminUsersRoutes } from './routes/admin-users.routes.js';
import { apiKeysRoutes } from './routes/api-keys.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { jobEventsRoutes } from './routes/job-events.routes.js';
import { jobsRoutes } from './routes/jobs.routes.js';
import { libraryRoutes } from './routes/library.routes.js';
import { linksRoutes } from './routes/links.routes.js';
import { meRoutes, sessionRoutes } from './routes/session.routes.js';
import { archiveRoutes, snapshotsRoutes } from './routes/snapshots.routes.js';
import type { ZodApp } from './routes/types.js';
import { usageRoutes } from './routes/usage.routes.js';
import { diffRoutes, schedulesRoutes } from './routes/versions.routes.js';
import { webhooksRoutes } from './routes/webhooks.routes.js';

export interface AppDeps {
  config: Config;
  database: Database;
  storage: ObjectStorage;
  snapshotQueue: SnapshotQueue;
  logger?: Logger;
  /** Defaults to JWT_SECRET or the secret kept in DATA_DIR. */
  jwtSecret?: Uint8Array;
  /** DNS resolver for the submit-time egress check (tests inject one). */
  resolver?: Resolver;
  /** Shared with the results consumer, which counts captures; created here when absent. */
  metrics?: ApiMetrics;
  /** Where archives are served; default: ARCHIVE_ORIGIN, else this app (inject-only use). */
  archiveSite?: ArchiveSite;
}

/** Signed archive URLs, shared by the app and the archive listener (same key, same storage). */
export function archiveLinks(deps: AppDeps, jwtSecret: Uint8Array): ArchiveLinks {
  return new ArchiveLinks(
    deriveKey(jwtSecret, 'archive-url'),
    new SnapshotsRepository(deps.database.db),
    new StandaloneArchives(deps.storage, loadArchiveSigner(deps.config)),
    { origin: deps.config.ARCHIVE_ORIGIN, ttlSeconds: deps.config.ARCHIVE_URL_TTL_SECONDS },
  );
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, database, storage, snapshotQueue } = deps;
  const app = Fastify({
    ...(deps.logger
      ? { loggerInstance: deps.logger as FastifyBaseLogger, childLoggerFactory: lazyChildLoggerFactory }
      : { logger: false }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON bodies: anything else is a 415, not a string the schema then rejects.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    reply.header('X-Content-Type-Options', 'nosniff');
    done();
  });
  registerErrorHandling(app);
  registerSecurityHeaders(app);
  const metrics = deps.metrics ?? new ApiMetrics();
  metrics.watch(snapshotQueue.queue);
  const dashboardQueues = [
    snapshotQueue.queue,
    metrics.watchByName(RESULTS_QUEUE, config),
    metrics.watchByName(WEBHOOKS_QUEUE, config),
    metrics.watchByName(RECAPTURE_QUEUE, config),
  ].filter((q) => q !== undefined);
  app.addHook('onClose', () => metrics.close());
  registerMetrics(app, metrics);
  app.register(cookie);

  const jwtSecret = deps.jwtSecret ?? loadJwtSecret(config);
  const tokens = new TokenService(jwtSecret, config.TOKEN_TTL_SECONDS);
  const users = new UsersService(new UsersRepository(database.db), tokens, {
    disabled: config.DISABLE_SIGNUPS,
    adminEmails: config.ADMIN_EMAILS,
  });
  const blobs = new BlobsRepository(database.db);
  const signer = loadArchiveSigner(config);
  const standalone = new StandaloneArchives(storage, signer);
  const snapshots = new SnapshotsService(new SnapshotsRepository(database.db), standalone);
  const links = new LinksService(
    new LinksRepository(database.db),
    snapshotQueue,
    {
      egressAllow: config.EGRESS_ALLOW,
      egressAllowOnly: config.EGRESS_ALLOW_ONLY,
      // Submissions burst: concurrent lookups of one name share one, answers are reused briefly.
      resolver: deps.resolver ?? cachingResolver(systemResolver),
      uploads: storage,
    },
    blobs,
  );
  const jobs = new JobsService(snapshots, snapshotQueue);
  const webhooks = new WebhooksService(new WebhooksRepository(database.db), {
    egressAllow: config.EGRESS_ALLOW,
    egressAllowOnly: config.EGRESS_ALLOW_ONLY,
    resolver: deps.resolver,
  });
  let jobEventsHub: JobEventsHub | undefined;
  const jobEvents = () => (jobEventsHub ??= new JobEventsHub(config));
  app.addHook('onClose', async () => jobEventsHub?.close());
  const apiKeys = new ApiKeysService(new ApiKeysRepository(database.db));
  const recaptures = new RecaptureScheduler(config);
  // Bounded: with Redis gone, a queue's close waits for a reconnection.
  app.addHook('onClose', () => closeQueueClient('schedule queue', recaptures.queue, 1_000));
  const schedules = new SchedulesService(new SchedulesRepository(database.db), recaptures, {
    minIntervalMs: config.SCHEDULE_MIN_INTERVAL,
    spreadMs: config.SCHEDULE_SPREAD,
  });
  const versions = new VersionsService(new VersionsRepository(database.db), storage);
  const archive = archiveLinks(deps, jwtSecret);
  const archiveSite = deps.archiveSite ?? new ArchiveSite(config.ARCHIVE_ORIGIN);
  registerRateLimits(app, config);

  // The OpenAPI document is generated from the route schemas; routes are registered after it.
  registerOpenApi(app);
  app.register(async (root: ZodApp) => {
    const windowMs = config.RATE_LIMIT_WINDOW_MS;
    const emailOf = (request: FastifyRequest) =>
      String((request.body as { email?: unknown } | undefined)?.email ?? '')
        .trim()
        .toLowerCase();
    const loginLimits = {
      perIp: new RateLimiter(root, config.LOGIN_RATE_LIMIT_PER_IP, windowMs, (r) => `login-ip ${r.ip}`),
      perAccount: new RateLimiter(root, config.LOGIN_RATE_LIMIT_PER_ACCOUNT, windowMs, (r) => `login ${emailOf(r)}`),
      signupPerIp: new RateLimiter(root, config.SIGNUP_RATE_LIMIT_PER_IP, windowMs, (r) => `signup ${r.ip}`),
    };
    const submitLimit = new RateLimiter(root, config.LINK_SUBMIT_RATE_LIMIT, windowMs, (r) => `submit ${r.userId}`);
    // GET /docs/openapi.json
    root.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    healthRoutes(
      root,
      {
        postgres: () => database.db.execute(sql`select 1`),
        redis: () => snapshotQueue.ping(),
        s3: () => storage.ping(),
      },
      () => snapshotQueue.snapshotters(),
    );
    authRoutes(root, users, loginLimits);
    sessionRoutes(root, users, { ttlSeconds: config.TOKEN_TTL_SECONDS, limits: loginLimits });
    // Archived pages and the replay player never share the app's origin when another serves them.
    if (archiveSite.servedByApp) {
      archiveRoutes(root, archive, archiveSite);
      replayRoutes(root, archive, archiveSite);
    }
    root.register(async (scope: ZodApp) => {
      registerAuth(scope, tokens, apiKeys);
      registerRouteLimit(scope, 'POST', '/v1/links', submitLimit);
      // A batch is one submission: the paste box's 100 links are one request, not 100.
      registerRouteLimit(scope, 'POST', '/v1/links/batch', submitLimit);
      // First: its hook removes a deleted link's scheduler, and hooks apply to routes added after them.
      schedulesRoutes(scope, schedules);
      apiKeysRoutes(scope, apiKeys);
      adminUsersRoutes(scope, users);
      libraryRoutes(scope, {
        db: database.db,
        storage,
        links,
        deleted: snapshotQueue,
        signer,
        standalone,
      });
      linksRoutes(scope, links, { uploadMaxBytes: config.UPLOAD_MAX_BYTES, schedules });
      diffRoutes(scope, versions);
      jobsRoutes(scope, jobs);
      jobEventsRoutes(scope, jobs, jobEvents);
      snapshotsRoutes(scope, snapshots, { links: archive, site: archiveSite });
      meRoutes(scope, new UsersRepository(database.db));
      webhooksRoutes(scope, webhooks);
      usageRoutes(scope, new UsageService(blobs, users));
    });
    registerQueueDashboard(root, {
      queues: dashboardQueues,
      users: new UsersRepository(database.db),
      adminEmails: config.ADMIN_EMAILS,
      authenticate: (request) => authenticate(request, tokens, apiKeys),
    });
    registerWeb(root, undefined, (request) => archiveSite.originFor(request));
  });
  return app;
}
