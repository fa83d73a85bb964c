/**
 * The multipart form of an uploaded capture (POST /v1/links): `url`, `tags` (repeated, or one
 * comma-separated field) and the `page` file. The page is read into memory up to the upload
 * limit (@fastify/multipart stops the stream there): above it the answer is 413.
 */
import { AppError } from '@linksnap/shared';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

export const uploadForm = z.object({
  url: z.string().meta({ description: 'The page’s address (checked like a JSON submission)' }),
  tags: z.string().optional().meta({ description: 'A tag; repeat the field, or separate names with commas' }),
  page: z.string().meta({
    contentMediaType: 'text/html',
    description: 'The page as the browser serialised it, self-contained (SingleFile format); at most UPLOAD_MAX_BYTES',
  }),
});

export interface UploadFormValues {
  url: string;
  tags: string[];
  page: Buffer;
}

const MAX_TAGS = 50;

function missing(field: string): AppError {
  return new AppError('VALIDATION_FAILED', `The form has no ${field}.`, {
    errors: [{ pointer: `/${field}`, detail: 'is required' }],
  });
}

/** Reads the form's parts; a page over `maxBytes` (or too many parts) is PAYLOAD_TOO_LARGE. */
export async function readUploadForm(request: FastifyRequest, maxBytes: number): Promise<UploadFormValues> {
  let url: string | undefined;
  const tags: string[] = [];
  let page: Buffer | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        // Read even when misnamed, so the stream is drained; only `page` is kept.
        const body = await part.toBuffer();
        if (part.fieldname === 'page') page = body;
      } else if (part.fieldname === 'url') {
        url = String(part.value);
      } else if (part.fieldname === 'tags') {
        tags.push(...String(part.value).split(','));
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new AppError('PAYLOAD_TOO_LARGE', `An uploaded page may be at most ${maxBytes} bytes.`);
    }
    throw err;
  }
  if (!url?.trim()) throw missing('url');
  if (!page) throw missing('page');
  const names = tags.map((t) => t.trim()).filter((t) => t.length > 0);
  if (names.length > MAX_TAGS) {
    throw new AppError('VALIDATION_FAILED', `At most ${MAX_TAGS} tags.`, {
      errors: [{ pointer: '/tags', detail: `at most ${MAX_TAGS}` }],
    });
  }
  return { url: url.trim(), tags: names, page };
}
