/**
 * Builds the Fastify instance (routes, auth, error handling) from already-opened
 * dependencies. It never listens: server.ts/main.ts boot it, tests call `inject`.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { Config, Logger, ObjectStorage, Resolver } from '@linksnap/shared';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Database } from './db/database.js';
import { JobsService } from './domain/jobs.service.js';
import { LinksRepository } from './domain/links.repository.js';
import { LinksService } from './domain/links.service.js';
import { SnapshotsRepository } from './domain/snapshots.repository.js';
import { SnapshotsService } from './domain/snapshots.service.js';
import { loadJwtSecret, TokenService } from './domain/tokens.js';
import { UsersRepository } from './domain/users.repository.js';
import { UsersService } from './domain/users.service.js';
import { registerAuth } from './http/auth.js';
import { registerErrorHandling } from './http/error-handler.js';
import type { SnapshotQueue } from './queue/snapshot-producer.js';
import { authRoutes } from './routes/auth.routes.js';
import { healthRoutes } from './routes/health.routes.js';
import { jobsRoutes } from './routes/jobs.routes.js';
import { linksRoutes } from './routes/links.routes.js';
import { snapshotsRoutes } from './routes/snapshots.routes.js';
import type { ZodApp } from './routes/types.js';

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
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, database, storage, snapshotQueue } = deps;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger as FastifyBaseLogger } : { logger: false }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Only JSON bodies: anything else is a 415, not a string the schema then rejects.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    reply.header('X-Content-Type-Options', 'nosniff');
  });
  registerErrorHandling(app);

  const tokens = new TokenService(deps.jwtSecret ?? loadJwtSecret(config), config.TOKEN_TTL_SECONDS);
  const users = new UsersService(new UsersRepository(database.db), tokens);
  const snapshots = new SnapshotsService(new SnapshotsRepository(database.db), storage);
  const links = new LinksService(new LinksRepository(database.db), snapshotQueue, {
    egressAllow: config.EGRESS_ALLOW,
    resolver: deps.resolver,
  });
  const jobs = new JobsService(snapshots, snapshotQueue);

  // The OpenAPI document is generated from the route schemas; routes are registered after it.
  app.register(swagger, {
    openapi: {
      info: { title: 'LinkSnap API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.register(async (root: ZodApp) => {
    // GET /docs/openapi.json
    root.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    healthRoutes(root, {
      postgres: () => database.db.execute(sql`select 1`),
      redis: () => snapshotQueue.ping(),
      s3: () => storage.ping(),
    });
    authRoutes(root, users);
    root.register(async (scope: ZodApp) => {
      registerAuth(scope, tokens);
      linksRoutes(scope, links);
      jobsRoutes(scope, jobs);
      snapshotsRoutes(scope, snapshots);
    });
  });
  return app;
}
