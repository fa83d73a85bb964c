/**
 * Bookmark import (Netscape HTML as a raw text/html body or as the one file of a
 * multipart/form-data upload, up to 10 MB) and export.
 */
import multipart from '@fastify/multipart';
import { AppError } from '@linksnap/shared';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ArchiveExportService } from '../domain/archive-export.service.js';
import type { ImportExportService } from '../domain/import-export.service.js';
import { userIdOf } from '../http/auth.js';
import { idParams } from './params.js';
import { documented, importReport, opaqueBody } from './response.schemas.js';
import type { ZodApp } from './types.js';

export const IMPORT_LIMIT_BYTES = 10 * 1024 * 1024;

/** Declared per media type; the handler reads the file itself, so a multipart body stays null. */
const bookmarkHtml = z
  .string()
  .meta({ contentMediaType: 'text/html', description: 'A Netscape bookmark file (≤ 10 MB)' });

const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', 'A bookmark file may be at most 10 MB.');

async function bookmarkFile(request: FastifyRequest): Promise<string> {
  if (typeof request.body === 'string') return request.body;
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the bookmark file as text/html.');
  try {
    const file = await request.file();
    if (!file) {
      throw new AppError('VALIDATION_FAILED', 'The form has no file.', {
        errors: [{ pointer: '/file', detail: 'is required' }],
      });
    }
    return (await file.toBuffer()).toString('utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_PARTS_LIMIT') throw tooLarge();
    throw err;
  }
}

export function importExportRoutes(app: ZodApp, service: ImportExportService, archives: ArchiveExportService): void {
  // Encapsulated so text/html and multipart bodies are accepted on this route only.
  app.register(async (scope: ZodApp) => {
    scope.addContentTypeParser('text/html', { parseAs: 'string', bodyLimit: IMPORT_LIMIT_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    await scope.register(multipart, { limits: { fileSize: IMPORT_LIMIT_BYTES, files: 1, fields: 10 } });

    // POST /v1/import
    scope.post(
      '/v1/import',
      {
        bodyLimit: IMPORT_LIMIT_BYTES,
        schema: {
          body: {
            content: {
              'text/html': { schema: bookmarkHtml },
              'multipart/form-data': { schema: z.object({ file: bookmarkHtml }).nullable() },
            },
          },
          response: { 200: documented(importReport, 'Links created (each queued for capture), duplicates, invalid') },
        },
      },
      async (request) => service.import(userIdOf(request), await bookmarkFile(request), String(request.id)),
    );
  });

  // GET /v1/export
  const exported = opaqueBody(
    'Netscape bookmark file of every link, tags as TAGS=; with archives=wacz a zip of bookmarks.html, ' +
      'archives/{linkId}.wacz (every version of the link merged) and archives/index.json',
    ['text/html', 'application/zip'],
    { 'Content-Disposition': { description: 'attachment; filename="bookmarks.html" or "linksnap-export.zip"' } },
  );
  const exportQuery = z.object({
    archives: z.enum(['none', 'wacz']).default('none').meta({ description: 'wacz: include each link’s archives' }),
  });
  app.get(
    '/v1/export',
    { schema: { querystring: exportQuery, response: { 200: exported } } },
    async (request, reply) => {
      if (request.query.archives === 'wacz') {
        const zip = await archives.bookmarksZip(userIdOf(request));
        return reply
          .type('application/zip')
          .header('Content-Disposition', 'attachment; filename="linksnap-export.zip"')
          .send(zip);
      }
      const html = await service.export(userIdOf(request));
      return reply
        .type('text/html; charset=utf-8')
        .header('Content-Disposition', 'attachment; filename="bookmarks.html"')
        .send(html);
    },
  );

  // GET /v1/links/{id}/export.wacz
  const merged = opaqueBody(
    'One WACZ 1.1.1 with every version’s WARC records, a merged CDXJ index and pages.jsonl',
    ['application/wacz+zip'],
    { 'Content-Disposition': { description: 'attachment; filename="{linkId}.wacz"' } },
  );
  app.get(
    '/v1/links/:id/export.wacz',
    { schema: { params: idParams, response: { 200: merged } } },
    async (request, reply) => {
      const { filename, body } = await archives.linkWacz(userIdOf(request), request.params.id);
      return reply
        .type('application/wacz+zip')
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
    },
  );
}
