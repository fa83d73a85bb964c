/**
 * Snapshots (read one, delete one) and their artifacts. Archived pages are hostile content: they are served
 * sandboxed with no network (`CSP: default-src 'none' … sandbox`, so no script, an opaque
 * origin and no request beyond data: URIs), never sniffed, and MHTML only
 * as a download. Signed, short-lived `/archive/…` URLs let a browser open an artifact without
 * the API's bearer token, ideally from a separate ARCHIVE_ORIGIN.
 */
import type { Readable } from 'node:stream';
import { AppError, type Artifact } from '@linksnap/shared';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ArchiveLinks } from '../domain/archive-links.js';
import type { LinksAdminService } from '../domain/links-admin.service.js';
import type { SnapshotsService } from '../domain/snapshots.service.js';
import type { ArchiveSite } from '../http/archive-site.js';
import { userIdOf } from '../http/auth.js';
import { allowFraming } from '../http/helmet.js';
import { idParams } from './params.js';
import {
  ARTIFACT_MEDIA_TYPES,
  documented,
  noContent,
  opaqueBody,
  signedArtifactUrl,
  snapshotView,
} from './response.schemas.js';
import type { ZodApp } from './types.js';

const ARCHIVED_PAGE_KINDS = new Set(['html', 'mhtml', 'readable']);
/**
 * No network at all: the html artifact carries its subresources as data: URIs, and anything
 * else in an archived page (a URL the inliner missed, readable view images) must not reach
 * the live web. `sandbox` without allow-scripts / allow-same-origin: no script, opaque origin.
 */
export const archivedPageCsp = (frameAncestors = "'self'") =>
  [
    "default-src 'none'",
    'img-src data:',
    "style-src 'unsafe-inline' data:",
    'font-src data:',
    'media-src data:',
    'sandbox',
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
export const ARCHIVED_PAGE_CSP = archivedPageCsp();
/** Content types a browser may render as a document with script. */
const ACTIVE_CONTENT = /html|xml|svg|javascript|mhtml|multipart/i;

/**
 * The same isolation headers for the authenticated route and the signed one. Archived pages are
 * always `CORP: same-origin`; other kinds on the signed route may be embedded cross-origin
 * (screenshots from ARCHIVE_ORIGIN inside the app), since the signature is their only secret.
 */
function sendArtifact(
  reply: FastifyReply,
  id: string,
  kind: string,
  artifact: Artifact,
  body: Readable,
  /** Signed route: other kinds may be embedded cross-origin, and these origins may frame it. */
  signed?: { frameAncestors: string },
) {
  const embeddable = signed !== undefined;
  const ancestors = signed?.frameAncestors ?? "'self'";
  const page = ARCHIVED_PAGE_KINDS.has(kind) || ACTIVE_CONTENT.test(artifact.contentType);
  reply
    .header('Content-Type', artifact.contentType)
    .header('Content-Length', String(artifact.bytes))
    .header('ETag', `"${artifact.sha256}"`)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Cross-Origin-Resource-Policy', embeddable && !page ? 'cross-origin' : 'same-origin')
    .header('Referrer-Policy', 'no-referrer');
  // Archived pages run no script and get an opaque origin (sandbox without allow-same-origin);
  // the app's own viewer may frame any artifact, nothing else may. X-Frame-Options cannot name
  // another origin, so it is only sent when the app frames from its own origin.
  reply.header('Content-Security-Policy', page ? archivedPageCsp(ancestors) : `frame-ancestors ${ancestors}`);
  if (ancestors === "'self'") reply.header('X-Frame-Options', 'SAMEORIGIN');
  else allowFraming(reply);
  // Offered as files to keep, never rendered: MHTML would run as a page, a WACZ is a package.
  if (kind === 'mhtml' || kind === 'wacz') {
    reply.header('Content-Disposition', `attachment; filename="${id}.${kind}"`);
  }
  return reply.send(body);
}

const artifactParams = z.object({ id: z.string(), kind: z.string().max(32) });

/** The artifact's bytes, in its own media type, with the isolation headers of `sendArtifact`. */
const artifactBody = opaqueBody(
  'The artifact: screenshot image/webp (image/png under SCREENSHOT_FORMAT=png or from older snapshots), thumbnail image/webp, pdf application/pdf, mhtml multipart/related ' +
    '(download), wacz application/wacz+zip (download: the signed WACZ 1.1.1 web archive, see ' +
    'docs/archive-format.md), html and readable text/html (sandboxed), text text/plain, metadata and ' +
    'report application/json, favicon image/x-icon; original keeps the captured resource’s own type',
  ARTIFACT_MEDIA_TYPES,
  {
    ETag: { description: 'The artifact’s SHA-256, quoted' },
    'Content-Security-Policy': {
      description: `Archived pages: ${ARCHIVED_PAGE_CSP}; others: frame-ancestors 'self' (on the signed route, the app's origin may frame them too)`,
    },
    'Content-Disposition': { description: 'mhtml and wacz: attachment' },
  },
);

export interface SnapshotsRoutesServices {
  snapshots: SnapshotsService;
  /** Deletes a version with its stored objects (and the link's re-capture state). */
  admin: LinksAdminService;
}

export function snapshotsRoutes(
  app: ZodApp,
  services: SnapshotsRoutesServices,
  archive?: { links: ArchiveLinks; site: ArchiveSite },
): void {
  // In this order, the order of the OpenAPI document's paths.
  snapshotRoutes(app, services);
  artifactRoute(app, services.snapshots);
  if (archive) signedUrlRoutes(app, services.snapshots, archive);
}

/** One snapshot: read, delete. */
function snapshotRoutes(app: ZodApp, { snapshots, admin }: SnapshotsRoutesServices): void {
  // GET /v1/snapshots/{id}
  app.get(
    '/v1/snapshots/:id',
    {
      schema: {
        params: idParams,
        response: { 200: documented(snapshotView, 'One snapshot version with its artifacts') },
      },
    },
    async (request) => snapshots.get(userIdOf(request), request.params.id),
  );

  // DELETE /v1/snapshots/{id}
  const snapshotDeleted = noContent('Deleted with its stored objects');
  app.delete(
    '/v1/snapshots/:id',
    { schema: { params: idParams, response: { 204: snapshotDeleted } } },
    async (request, reply) => {
      await admin.deleteSnapshot(userIdOf(request), request.params.id);
      return reply.status(204).send();
    },
  );
}

function artifactRoute(app: ZodApp, snapshots: SnapshotsService): void {
  // GET /v1/snapshots/{id}/artifacts/{kind}
  app.get(
    '/v1/snapshots/:id/artifacts/:kind',
    { schema: { params: artifactParams, response: { 200: artifactBody } } },
    async (request, reply) => {
      const { id, kind } = request.params;
      const { artifact, body } = await snapshots.openArtifact(userIdOf(request), id, kind);
      return sendArtifact(reply, id, kind, artifact, body);
    },
  );
}

/** Short-lived URLs a browser opens without the API's credentials: an artifact, the replay player. */
function signedUrlRoutes(
  app: ZodApp,
  snapshots: SnapshotsService,
  archive: { links: ArchiveLinks; site: ArchiveSite },
): void {
  // GET /v1/snapshots/{id}/artifacts/{kind}/url
  const signed = documented(
    signedArtifactUrl,
    'A short-lived URL that needs no credentials (on ARCHIVE_ORIGIN when set)',
  );
  app.get(
    '/v1/snapshots/:id/artifacts/:kind/url',
    { schema: { params: artifactParams, response: { 200: signed } } },
    async (request, reply) => {
      const { id, kind } = request.params;
      const row = await snapshots.findOwned(userIdOf(request), id);
      if (!row.artifacts.some((a) => a.kind === kind)) {
        throw new AppError('NOT_FOUND', `The snapshot has no ${kind} artifact.`);
      }
      reply.header('Cache-Control', 'no-store');
      return archive.links.sign(id, kind, { origin: archive.site.originFor(request) });
    },
  );

  // GET /v1/snapshots/{id}/replay
  const replay = documented(
    signedArtifactUrl,
    'A short-lived URL of the full-screen replay player of the snapshot’s WACZ (ReplayWeb.page, served by ' +
      'this API on ARCHIVE_ORIGIN when set); frame it or open it',
  );
  app.get(
    '/v1/snapshots/:id/replay',
    { schema: { params: idParams, response: { 200: replay } } },
    async (request, reply) => {
      const row = await snapshots.findOwned(userIdOf(request), request.params.id);
      if (!row.artifacts.some((a) => a.kind === 'wacz')) {
        throw new AppError('NOT_FOUND', 'The snapshot has no wacz artifact to replay.');
      }
      reply.header('Cache-Control', 'no-store');
      return archive.links.signReplay(row.id, { origin: archive.site.originFor(request) });
    },
  );
}

/**
 * GET /archive/{snapshotId}/{kind}?exp=…&sig=… — outside the authenticated scope: the
 * signature is the credential. No Authorization header or cookie is ever read here. The same
 * credential also comes as one parameter, `?s={exp}.{sig}` (the replay player's source: it
 * survives being pasted unencoded into another URL's query, as ReplayWeb.page does).
 */
export function archiveRoutes(app: ZodApp, archive: ArchiveLinks, site: ArchiveSite): void {
  app.get(
    '/archive/:id/:kind',
    {
      schema: {
        security: [],
        params: artifactParams,
        querystring: z.object({ exp: z.string().optional(), sig: z.string().optional(), s: z.string().optional() }),
        response: { 200: artifactBody },
      },
    },
    async (request, reply) => {
      const { id, kind } = request.params;
      const [exp, sig] = request.query.s ? request.query.s.split('.', 2) : [request.query.exp, request.query.sig];
      archive.verify(id, kind, exp, sig);
      const { artifact, body } = await archive.open(id, kind);
      reply.header('Cache-Control', 'private, max-age=60');
      return sendArtifact(reply, id, kind, artifact, body, { frameAncestors: site.frameAncestors(request) });
    },
  );
}
