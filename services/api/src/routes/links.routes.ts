/**
 * Links: save a URL (which queues its first capture), list and search, read, edit and delete a
 * saved link, and capture or list its snapshot versions (one version is read and deleted in
 * snapshots.routes.ts). The POSTs that start captures are marked `config: { idempotent: true }`;
 * the Idempotency-Key hooks (idempotency.hooks.ts) find them by it.
 */
import multipart from '@fastify/multipart';
import { captureOptionsSchema, SNAPSHOT_STATES, toProblem } from '@linksnap/shared';
import { z } from 'zod';
import { type BatchItem, type LinksService, MAX_BATCH_URLS } from '../domain/links.service.js';
import type { LinksAdminService } from '../domain/links-admin.service.js';
import type { LinksQueryService } from '../domain/links-query.service.js';
import { userIdOf } from '../http/auth.js';
import { fastSerialized } from '../http/serializers.js';
import { idParams } from './params.js';
import {
  batchItem,
  documented,
  itemsOf,
  linkCreated,
  linkPage,
  linkView,
  noContent,
  snapshotQueued,
  versionView,
} from './response.schemas.js';
import type { ZodApp } from './types.js';
import { readUploadForm, uploadForm } from './upload-form.js';

const createLink = z.object({
  url: z.string().min(1).max(4096),
  tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  blockAds: captureOptionsSchema.shape.blockAds.describe(
    'false: capture with ads and trackers (the instance blocks them by default, config ADBLOCK)',
  ),
  formats: captureOptionsSchema.shape.formats.describe(
    'Artifacts to make, of screenshot (with its thumbnail), pdf, mhtml, html, wacz; default: the instance setting (CAPTURE_FORMATS). Text, readable, metadata and report are always made.',
  ),
  mode: captureOptionsSchema.shape.mode.describe(
    '`bookmark`: keep only metadata and readable text; `full` (default unless CAPTURE_MODE says otherwise): the formats too',
  ),
});

// Each URL is checked on its own (an empty or bad one is that item's INVALID_URL), not here.
const createBatch = z.object({
  urls: z.array(z.string().max(4096)).min(1).max(MAX_BATCH_URLS),
  tags: createLink.shape.tags,
});
/** 500 URLs of the longest kind do not fit the API-wide 1 MiB body limit. */
const BATCH_BODY_LIMIT_BYTES = 3 * 1024 * 1024;

const isoDate = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);
const tagName = z.string().trim().min(1).max(64);

const listQuery = z.object({
  cursor: z.string().min(1).max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  tag: z.union([z.string(), z.array(z.string())]).optional(),
  match: z.enum(['all', 'any']).default('all'),
  status: z.enum(SNAPSHOT_STATES).optional(),
  // Longer than the parser takes (500) so an over-long query gets INVALID_QUERY, not a schema error.
  q: z.string().max(20_000).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

const patchLink = z
  .object({
    title: z.string().max(2000).nullable().optional(),
    description: z.string().max(20_000).nullable().optional(),
    tags: z.array(tagName).max(100).optional(),
    addTags: z.array(tagName).max(100).optional(),
    removeTags: z.array(tagName).max(100).optional(),
  })
  .strict();

export interface LinksRoutesServices {
  links: LinksService;
  query: LinksQueryService;
  admin: LinksAdminService;
}

export interface LinksRoutesOptions {
  /** Largest uploaded page (config UPLOAD_MAX_BYTES). */
  uploadMaxBytes: number;
}

export function linksRoutes(app: ZodApp, services: LinksRoutesServices, options: LinksRoutesOptions): void {
  const { links, query, admin } = services;
  // Encapsulated so multipart bodies (uploaded captures) are accepted on POST /v1/links only.
  app.register(async (scope: ZodApp) => {
    await scope.register(multipart, {
      limits: { fileSize: options.uploadMaxBytes, files: 1, fields: 60, fieldSize: 64 * 1024 },
    });
    createLinkRoute(scope, links, options);
  });
  // In this order, the order of the OpenAPI document's paths.
  listLinksRoute(app, query);
  createBatchRoute(app, links);
  linkRoutes(app, admin);
  versionsRoutes(app, links, admin);
}

function listLinksRoute(app: ZodApp, query: LinksQueryService): void {
  // GET /v1/links
  app.get(
    '/v1/links',
    {
      schema: {
        querystring: listQuery,
        response: { 200: documented(linkPage, 'A page of links, newest first (best match first when searching)') },
      },
    },
    async (request) => {
      const { tag, from, to, ...rest } = request.query;
      return query.list(userIdOf(request), {
        ...rest,
        tag: tag === undefined ? [] : Array.isArray(tag) ? tag : [tag],
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      });
    },
  );
}

function createBatchRoute(app: ZodApp, links: LinksService): void {
  // POST /v1/links/batch
  // Counts once against the submit limit (app.ts): pasting 100 links is one request.
  app.post(
    '/v1/links/batch',
    {
      bodyLimit: BATCH_BODY_LIMIT_BYTES,
      config: { idempotent: true },
      schema: {
        body: createBatch,
        response: { 200: documented(itemsOf(batchItem), 'One result per URL, in input order') },
      },
    },
    async (request) => {
      const items = await links.createMany(userIdOf(request), request.body, String(request.id));
      const context = { instance: '/v1/links/batch', requestId: String(request.id) };
      return { items: items.map((item) => asBatchAnswer(item, context)) };
    },
  );
}

/** One saved link: read, edit, delete. */
function linkRoutes(app: ZodApp, admin: LinksAdminService): void {
  // GET /v1/links/{id}
  app.get(
    '/v1/links/:id',
    {
      schema: {
        params: idParams,
        response: { 200: documented(linkView, 'The link with its tags and latest snapshot') },
      },
    },
    async (request) => admin.view(userIdOf(request), request.params.id),
  );

  // PATCH /v1/links/{id}
  const patched = documented(linkView, 'The edited link');
  app.patch(
    '/v1/links/:id',
    { schema: { params: idParams, body: patchLink, response: { 200: patched } } },
    async (request) => admin.update(userIdOf(request), request.params.id, request.body),
  );

  // DELETE /v1/links/{id}
  const linkDeleted = noContent('Deleted with every snapshot and stored object');
  app.delete(
    '/v1/links/:id',
    { schema: { params: idParams, response: { 204: linkDeleted } } },
    async (request, reply) => {
      await admin.delete(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}

/** A link's snapshot versions: capture a new one, list them (DELETE /v1/snapshots/{id} is in snapshots.routes.ts). */
function versionsRoutes(app: ZodApp, links: LinksService, admin: LinksAdminService): void {
  // POST /v1/links/{id}/snapshots
  const queued = documented(snapshotQueued, 'A new capture (version) is queued', {
    Location: { description: 'The capture job to poll: `/v1/jobs/{snapshotId}`' },
  });
  app.post(
    '/v1/links/:id/snapshots',
    { config: { idempotent: true }, schema: { params: idParams, response: { 202: queued } } },
    async (request, reply) => {
      const snapshot = await links.capture(userIdOf(request), request.params.id, String(request.id));
      return reply.status(202).header('Location', `/v1/jobs/${snapshot.id}`).send({ snapshot });
    },
  );

  // GET /v1/links/{id}/snapshots
  const versions = documented(itemsOf(versionView), 'Every version, newest first');
  app.get(
    '/v1/links/:id/snapshots',
    { schema: { params: idParams, response: { 200: versions } } },
    async (request) => ({
      items: await admin.versions(userIdOf(request), request.params.id),
    }),
  );
}

// POST /v1/links
// JSON: the snapshotter fetches the URL. multipart/form-data with a `page` part: an uploaded
// capture of the page as the user's browser serialised it (SingleFile HTML).
function createLinkRoute(scope: ZodApp, links: LinksService, options: LinksRoutesOptions): void {
  // The busiest write: the compiled serializer.
  const created = fastSerialized(
    documented(linkCreated, 'Saved; its first capture is queued', {
      Location: { description: 'The capture job to poll: `/v1/jobs/{snapshotId}`' },
    }),
  );
  scope.post(
    '/v1/links',
    {
      config: { idempotent: true },
      schema: {
        description:
          'JSON `{url, tags?}`: the snapshotter fetches the URL. `multipart/form-data` with `url`, `tags` and a ' +
          '`page` file: an uploaded capture of the page as the user’s browser serialised it (SingleFile HTML, at ' +
          'most UPLOAD_MAX_BYTES, 413 above; HTML by its bytes, 400 otherwise), rendered with every request ' +
          'refused; the snapshot has `source: "upload"` and keeps the page as the `upload` artifact.',
        body: {
          content: {
            'application/json': { schema: createLink },
            // A streamed body reaches the validator unparsed, as null: the document describes its parts.
            'multipart/form-data': { schema: uploadForm.nullable() },
          },
        },
        response: { 202: created },
      },
    },
    async (request, reply) => {
      const userId = userIdOf(request);
      const requestId = String(request.id);
      const result = request.isMultipart()
        ? await links.createFromUpload(userId, await readUploadForm(request, options.uploadMaxBytes), requestId)
        : await links.create(userId, request.body as z.infer<typeof createLink>, requestId);
      return reply.status(202).header('Location', `/v1/jobs/${result.snapshot.id}`).send(result);
    },
  );
}

/** A refused URL carries the problem document its own POST /v1/links would have answered. */
function asBatchAnswer(item: BatchItem, context: { instance: string; requestId: string }) {
  if (!('error' in item)) return item;
  return { url: item.url, status: item.status, problem: toProblem(item.error, context) };
}
