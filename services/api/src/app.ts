/**
 * Builds the Fastify instance (routes, auth, error handling) from already-opened
 * dependencies. It never listens: server.ts/main.ts boot it, tests call `inject`.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import { type Config, type Logger, type ObjectStorage, RESULTS_QUEUE, WEBHOOKS_QUEUE } from '@linksnap/shared';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from './container.js';
import type { Database } from './db/database.js';
import { ArchiveSite } from './http/archive-site.js';
import { authenticate, registerAuth } from './http/auth.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerHelmet } from './http/helmet.js';
import { ApiMetrics, registerMetrics } from './http/metrics.js';
import { registerOpenApi } from './http/openapi.js';
import { registerQueueDashboard } from './http/queue-dashboard.js';
import { RateLimiter, registerRateLimits, registerRouteLimit } from './http/rate-limit.js';
import { replayRoutes } from './http/replay.js';
import { lazyChildLoggerFactory } from './http/request-logger.js';
import { serializerCompiler } from './http/serializers.js';
import { registerWeb } from './http/web.js';
import { JobEventsHub } from './queue/job-events.js';
import { RECAPTURE_QUEUE } from './queue/recapture-scheduler.js';
import type { SnapshotQueue } from './queue/snapshot-producer.js';

import { adminUsersRoutes } from './routes/admin-users.routes.js';
import { apiKeysRoutes } from './routes/api-keys.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { registerIdempotency } from './routes/idempotency.hooks.js';
import { importExportRoutes } from './routes/import-export.routes.js';
import { jobEventsRoutes } from './routes/job-events.routes.js';
import { jobsRoutes } from './routes/jobs.routes.js';
import { linksRoutes } from './routes/links.routes.js';
import { meRoutes, sessionRoutes } from './routes/session.routes.js';
import { archiveRoutes, snapshotsRoutes } from './routes/snapshots.routes.js';
import { tagsRoutes } from './routes/tags.routes.js';
import type { ZodApp } from './routes/types.js';
import { usageRoutes } from './routes/usage.routes.js';
import { diffRoutes, schedulesRoutes } from './routes/versions.routes.js';
import { webhooksRoutes } from './routes/webhooks.routes.js';

export interface AppDeps {
  config: Config;
  database: Database;
  storage: ObjectStorage;
  snapshotQueue: SnapshotQueue;
  /** Built once by the caller (container.ts), shared with the workers of the same process. */
  services: Services;
  logger?: Logger;
  /** Shared with the results consumer, which counts captures; created here when absent. */
  metrics?: ApiMetrics;
  /** Where archives are served; default: ARCHIVE_ORIGIN, else this app (inject-only use). */
  archiveSite?: ArchiveSite;
}

/** Per-route limits of login, sign-up and link submission, counted per IP, account or user. */
function rateLimiters(root: ZodApp, config: Config) {
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
  return { loginLimits, submitLimit };
}

/** The routes behind authentication (the scope's hook has already run `registerAuth`). */
function authenticatedRoutes(
  scope: ZodApp,
  services: Services,
  options: { config: Config; jobEvents: () => JobEventsHub; archiveSite: ArchiveSite },
): void {
  schedulesRoutes(scope, services.schedules);
  apiKeysRoutes(scope, services.apiKeys);
  adminUsersRoutes(scope, services.users);
  linksRoutes(
    scope,
    { links: services.links, query: services.linksQuery, admin: services.linksAdmin },
    { uploadMaxBytes: options.config.UPLOAD_MAX_BYTES },
  );
  tagsRoutes(scope, services.tags);
  importExportRoutes(scope, services.bookmarks, services.archiveExports);
  diffRoutes(scope, services.versions);
  jobsRoutes(scope, services.jobs);
  jobEventsRoutes(scope, services.jobs, options.jobEvents);
  snapshotsRoutes(
    scope,
    { snapshots: services.snapshots, admin: services.linksAdmin },
    { links: services.archive, site: options.archiveSite },
  );
  meRoutes(scope, services.users);
  webhooksRoutes(scope, services.webhooks);
  usageRoutes(scope, services.usage);
}

/** Counts every queue of the API process in the metrics; the same queues show on the dashboard. */
function watchQueues(metrics: ApiMetrics, snapshotQueue: SnapshotQueue, config: Config) {
  metrics.watch(snapshotQueue.queue);
  return [
    snapshotQueue.queue,
    metrics.watchByName(RESULTS_QUEUE, config),
    metrics.watchByName(WEBHOOKS_QUEUE, config),
    metrics.watchByName(RECAPTURE_QUEUE, config),
  ].filter((q) => q !== undefined);
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
    trustProxy: config.TRUST_PROXY,
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
  registerHelmet(app);
  const metrics = deps.metrics ?? new ApiMetrics();
  const dashboardQueues = watchQueues(metrics, snapshotQueue, config);
  app.addHook('onClose', () => metrics.close());
  registerMetrics(app, metrics);
  app.register(cookie);

  const { services } = deps;
  const { tokens, users, apiKeys, archive } = services;
  let jobEventsHub: JobEventsHub | undefined;
  const jobEvents = () => (jobEventsHub ??= new JobEventsHub(config));
  app.addHook('onClose', async () => jobEventsHub?.close());
  const archiveSite = deps.archiveSite ?? new ArchiveSite(config.ARCHIVE_ORIGIN);
  registerRateLimits(app, config);

  // The OpenAPI document is generated from the route schemas; routes are registered after it.
  registerOpenApi(app);
  app.register(async (root: ZodApp) => {
    const { loginLimits, submitLimit } = rateLimiters(root, config);
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
      // Route-level hooks, given to the routes added after them: the ones marked idempotent.
      registerIdempotency(scope, services.idempotency);
      registerRouteLimit(scope, 'POST', '/v1/links', submitLimit);
      // A batch is one submission: the paste box's 100 links are one request, not 100.
      registerRouteLimit(scope, 'POST', '/v1/links/batch', submitLimit);
      authenticatedRoutes(scope, services, { config, jobEvents, archiveSite });
    });
    registerQueueDashboard(root, {
      queues: dashboardQueues,
      isAdmin: (userId) => users.isAdmin(userId),
      authenticate: (request) => authenticate(request, tokens, apiKeys),
    });
    registerWeb(root, undefined, (request) => archiveSite.originFor(request));
  });
  return app;
}
