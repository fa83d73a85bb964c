/**
 * Wires link management, search, tags and Idempotency-Key onto the authenticated scope.
 * Registered before the links routes so the idempotency hooks cover POST /v1/links.
 */
import type { Services } from '../container.js';
import { registerIdempotency } from './idempotency.hooks.js';
import { importExportRoutes } from './import-export.routes.js';
import { linksManageRoutes } from './links-manage.routes.js';
import { tagsRoutes } from './tags.routes.js';
import type { ZodApp } from './types.js';

type LibraryServices = Pick<
  Services,
  'idempotency' | 'links' | 'linksQuery' | 'linksAdmin' | 'tags' | 'bookmarks' | 'archiveExports'
>;

export function libraryRoutes(scope: ZodApp, services: LibraryServices): void {
  registerIdempotency(scope, services.idempotency);
  linksManageRoutes(scope, { links: services.links, query: services.linksQuery, admin: services.linksAdmin });
  tagsRoutes(scope, services.tags);
  importExportRoutes(scope, services.bookmarks, services.archiveExports);
}
