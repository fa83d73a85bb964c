/**
 * The composition root: every repository and service of the API process is built here, once,
 * from the opened dependencies. Routes, the archive listener, the results consumer and the
 * re-capture worker receive services from this object and never construct one themselves.
 * To find what serves a route: the route file names the service, this file shows how it is made.
 */
import { type Config, loadArchiveSigner, type ObjectStorage, type Resolver } from '@linksnap/shared';
import { ApiKeysRepository } from './db/api-keys.repository.js';
import { BlobsRepository } from './db/blobs.repository.js';
import type { Database } from './db/database.js';
import { IdempotencyRepository } from './db/idempotency.repository.js';
import { LinksRepository } from './db/links.repository.js';
import { LinksAdminRepository } from './db/links-admin.repository.js';
import { LinksQueryRepository } from './db/links-query.repository.js';
import { SchedulesRepository } from './db/schedules.repository.js';
import { SnapshotsRepository } from './db/snapshots.repository.js';
import { TagsRepository } from './db/tags.repository.js';
import { UsersRepository } from './db/users.repository.js';
import { VersionsRepository } from './db/versions.repository.js';
import { WebhooksRepository } from './db/webhooks.repository.js';
import { ApiKeysService } from './domain/api-keys.service.js';
import { ArchiveExportService } from './domain/archive-export.service.js';
import { ArchiveLinks } from './domain/archive-links.js';
import { IdempotencyService } from './domain/idempotency.service.js';
import { ImportExportService } from './domain/import-export.service.js';
import { JobsService } from './domain/jobs.service.js';
import { LinksService } from './domain/links.service.js';
import { LinksAdminService } from './domain/links-admin.service.js';
import { LinksQueryService } from './domain/links-query.service.js';
import { SchedulesService } from './domain/schedules.service.js';
import { SnapshotsService } from './domain/snapshots.service.js';
import { StandaloneArchives } from './domain/standalone-archive.js';
import { TagsService } from './domain/tags.service.js';
import { deriveKey, TokenService } from './domain/tokens.js';
import { UsageService } from './domain/usage.service.js';
import { UsersService } from './domain/users.service.js';
import { VersionsService } from './domain/versions.service.js';
import { WebhooksService } from './domain/webhooks.service.js';
import { RecaptureScheduler } from './queue/recapture-scheduler.js';
import type { SnapshotQueue } from './queue/snapshot-producer.js';

export interface ContainerDeps {
  config: Config;
  database: Database;
  storage: ObjectStorage;
  snapshotQueue: SnapshotQueue;
  jwtSecret: Uint8Array;
  /** DNS resolver for the submit-time egress checks (tests inject one); cached system DNS otherwise. */
  resolver: Resolver;
}

export type Services = ReturnType<typeof buildServices>;

export function buildServices({ config, database, storage, snapshotQueue, jwtSecret, resolver }: ContainerDeps) {
  const { db } = database;
  const egress = { egressAllow: config.EGRESS_ALLOW, egressAllowOnly: config.EGRESS_ALLOW_ONLY, resolver };
  const signer = loadArchiveSigner(config);
  const standalone = new StandaloneArchives(storage, signer);
  const blobs = new BlobsRepository(db);
  const snapshotsRepository = new SnapshotsRepository(db);
  const queryRepository = new LinksQueryRepository(db);
  const adminRepository = new LinksAdminRepository(db);

  const tokens = new TokenService(jwtSecret, config.TOKEN_TTL_SECONDS);
  const users = new UsersService(new UsersRepository(db), tokens, {
    disabled: config.DISABLE_SIGNUPS,
    adminEmails: config.ADMIN_EMAILS,
  });
  const links = new LinksService(new LinksRepository(db), snapshotQueue, { ...egress, uploads: storage }, blobs);
  const snapshots = new SnapshotsService(snapshotsRepository, standalone);
  const bookmarks = new ImportExportService(links, queryRepository);
  const recaptures = new RecaptureScheduler(config);
  const schedules = new SchedulesService(new SchedulesRepository(db), recaptures, {
    minIntervalMs: config.SCHEDULE_MIN_INTERVAL,
    spreadMs: config.SCHEDULE_SPREAD,
  });
  return {
    tokens,
    users,
    apiKeys: new ApiKeysService(new ApiKeysRepository(db)),
    links,
    linksQuery: new LinksQueryService(queryRepository, db),
    linksAdmin: new LinksAdminService({
      repository: adminRepository,
      storage,
      deleted: snapshotQueue,
      links,
      schedules,
    }),
    tags: new TagsService(new TagsRepository(db)),
    idempotency: new IdempotencyService(new IdempotencyRepository(db)),
    bookmarks,
    archiveExports: new ArchiveExportService({
      links,
      versions: adminRepository,
      query: queryRepository,
      bookmarks,
      storage,
      signer,
      standalone,
    }),
    snapshots,
    jobs: new JobsService(snapshots, snapshotQueue),
    webhooks: new WebhooksService(new WebhooksRepository(db), egress),
    /** The re-capture job schedulers (BullMQ); its queue is closed by whoever closes the API. */
    recaptures,
    schedules,
    versions: new VersionsService(new VersionsRepository(db), storage),
    usage: new UsageService(blobs, users),
    /** Signed archive URLs, shared by the app and the archive listener (same key, same storage). */
    archive: new ArchiveLinks(deriveKey(jwtSecret, 'archive-url'), snapshotsRepository, standalone, {
      origin: config.ARCHIVE_ORIGIN,
      ttlSeconds: config.ARCHIVE_URL_TTL_SECONDS,
    }),
  };
}
