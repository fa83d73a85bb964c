/**
 * The archive listener's app (on ARCHIVE_PORT when ARCHIVE_ORIGIN is unset): only the signed
 * archive routes, the replay bundles and the replay player. No /v1, no UI, no cookie parsing:
 * replayed script runs on this origin, and finds nothing of the user's here. Anything else is a
 * problem+json 404. See docs/decisions/0009-offline-replay.md.
 */
import { randomUUID } from 'node:crypto';
import type { Config, Logger } from '@linksnap/shared';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ArchiveLinks } from './domain/archive-links.js';
import type { ArchiveSite } from './http/archive-site.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerHelmet } from './http/helmet.js';
import { replayRoutes } from './http/replay.js';
import { lazyChildLoggerFactory } from './http/request-logger.js';
import { serializerCompiler } from './http/serializers.js';
import { archiveRoutes } from './routes/snapshots.routes.js';
import type { ZodApp } from './routes/types.js';

export interface ArchiveAppDeps {
  links: ArchiveLinks;
  site: ArchiveSite;
  logger?: Logger;
  /** TRUST_PROXY, as the app has it. */
  trustProxy?: Config['TRUST_PROXY'];
}

export function buildArchiveApp({ links, site, logger, trustProxy = false }: ArchiveAppDeps): FastifyInstance {
  const app = Fastify({
    ...(logger
      ? { loggerInstance: logger as FastifyBaseLogger, childLoggerFactory: lazyChildLoggerFactory }
      : { logger: false }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    trustProxy,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  registerErrorHandling(app);
  registerHelmet(app);
  app.register(async (root: ZodApp) => {
    archiveRoutes(root, links, site);
    replayRoutes(root, links, site);
  });
  return app;
}
