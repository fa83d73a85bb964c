/**
 * Wires link management, search, tags and Idempotency-Key onto the authenticated scope.
 * Registered before the links routes so the idempotency hooks cover POST /v1/links.
 */
import type { ArchiveSigner, ObjectStorage } from '@linksnap/shared';
import type { Db } from '../db/database.js';
import { ArchiveExportService } from '../domain/archive-export.service.js';
import { IdempotencyRepository } from '../domain/idempotency.repository.js';
import { IdempotencyService } from '../domain/idempotency.service.js';
import { ImportExportService } from '../domain/import-export.service.js';
import type { LinksService } from '../domain/links.service.js';
import { LinksAdminRepository } from '../domain/links-admin.repository.js';
import { type DeletedSnapshots, LinksAdminService } from '../domain/links-admin.service.js';
import { LinksQueryRepository } from '../domain/links-query.repository.js';
import { LinksQueryService } from '../domain/links-query.service.js';
import type { StandaloneArchives } from '../domain/standalone-archive.js';
import { TagsRepository } from '../domain/tags.repository.js';
import { TagsService } from '../domain/tags.service.js';
import { registerIdempotency } from './idempotency.hooks.js';
import { importExportRoutes } from './import-export.routes.js';
import { linksManageRoutes } from './links-manage.routes.js';
import { tagsRoutes } from './tags.routes.js';
import type { ZodApp } from './types.js';

export interface LibraryDeps {
  db: Db;
  storage: ObjectStorage;
  links: LinksService;
  /** Told before unfinished snapshots are deleted (the snapshot queue). */
  deleted: DeletedSnapshots;
  /** Signs merged archive exports with the instance key. */
  signer: ArchiveSigner;
  /** Merges in the earlier archives a version's revisits refer to. */
  standalone: StandaloneArchives;
}

export function libraryRoutes(scope: ZodApp, { db, storage, links, deleted, signer, standalone }: LibraryDeps): void {
  registerIdempotency(scope, new IdempotencyService(new IdempotencyRepository(db)));
  const queryRepository = new LinksQueryRepository(db);
  const adminRepository = new LinksAdminRepository(db);
  linksManageRoutes(scope, {
    links,
    query: new LinksQueryService(queryRepository, db),
    admin: new LinksAdminService(adminRepository, storage, deleted),
  });
  tagsRoutes(scope, new TagsService(new TagsRepository(db)));
  const bookmarks = new ImportExportService(links, queryRepository);
  const archives = new ArchiveExportService({
    links,
    versions: adminRepository,
    query: queryRepository,
    bookmarks,
    storage,
    signer,
    standalone,
  });
  importExportRoutes(scope, bookmarks, archives);
}
