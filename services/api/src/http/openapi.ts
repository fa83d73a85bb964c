/**
 * The OpenAPI 3.1 document, generated from the route schemas (zod → JSON Schema), served at
 * /openapi.json, with an interactive reference at /docs. Every documented route also lists the
 * problem+json errors it can answer with; the Problem schema is the one the error handler sends.
 * Success responses come from the routes' `response` schemas (see routes/response.schemas.ts).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_TAGS, operationOf } from './operations.js';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './session-cookie.js';

/** RFC 9457 problem document, as `toProblem` builds it (extensions allowed). */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
});

export const PROBLEM_JSON_SCHEMA = z.toJSONSchema(problemSchema, { target: 'draft-2020-12' }) as Record<
  string,
  unknown
>;
delete PROBLEM_JSON_SCHEMA.$schema;

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

type Transform = typeof jsonSchemaTransform;
type ResponseDoc = { headers?: unknown; content?: Record<string, { schema?: unknown }> };

type MediaBody = { content: Record<string, { schema: z.ZodType }> };

/**
 * A body declared per media type (`{content: {type: {schema}}}`, which Fastify validates per
 * type) as JSON Schema; jsonSchemaTransform only converts a body that is one zod schema.
 */
function bodyByMediaType(body: unknown) {
  if (typeof body !== 'object' || body === null || body instanceof z.ZodType || !('content' in body)) return undefined;
  const content = Object.entries((body as MediaBody).content).map(([mediaType, { schema }]) => {
    // A streamed body (multipart) reaches the validator unparsed, as null: the document describes its parts.
    const parts = schema instanceof z.ZodNullable ? schema.unwrap() : schema;
    const json = z.toJSONSchema(parts, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    delete json.$schema;
    return [mediaType, { schema: json }];
  });
  return { content: Object.fromEntries(content) };
}

/**
 * jsonSchemaTransform, plus: bodies declared per media type, the operationId, summary and tag
 * of operations.ts, problem+json 4XX/5XX responses on every visible route, and the headers of
 * responses declared by media type (jsonSchemaTransform keeps only their description and content).
 */
const withProblems: Transform = (input) => {
  const byMediaType = bodyByMediaType(input.schema?.body);
  const zodOnly = byMediaType ? { ...input, schema: { ...input.schema, body: undefined } } : input;
  const out = jsonSchemaTransform(zodOnly) as { schema: Record<string, unknown> | undefined; url: string };
  out.schema ??= {};
  if (byMediaType) out.schema.body = byMediaType;
  if (!out.schema.hide) {
    const declared = (input.schema?.response ?? {}) as Record<string, ResponseDoc>;
    const response = (out.schema.response ?? {}) as Record<string, ResponseDoc>;
    for (const [status, doc] of Object.entries(response)) {
      const headers = declared[status]?.headers;
      if (doc.content && headers) doc.headers = headers;
    }
    response['4XX'] ??= problemResponse('Client error (RFC 9457 problem details)');
    response['5XX'] ??= problemResponse('Server error or dependency unavailable (RFC 9457 problem details)');
    out.schema.response = response;
    const method = [input.route.method].flat()[0] as string;
    const { operationId, summary, tag } = operationOf(method, input.url);
    Object.assign(out.schema, { operationId, summary, tags: [tag] });
  }
  return out as ReturnType<Transform>;
};

/**
 * Opaque bodies (downloads, HTML, event streams) are declared with an empty schema (z.unknown(),
 * see `opaqueBody`); OpenAPI 3.1 describes such a body by its media type alone, so the empty
 * schema is dropped from the published document.
 */
function dropOpaqueSchemas<T extends { paths?: object }>(document: T): T {
  for (const operations of Object.values(document.paths ?? {}) as object[]) {
    for (const operation of Object.values(operations ?? {})) {
      const responses = (operation as { responses?: Record<string, ResponseDoc> }).responses ?? {};
      for (const response of Object.values(responses)) {
        for (const media of Object.values(response.content ?? {})) {
          if (media.schema !== undefined && Object.keys(media.schema as object).length === 0) delete media.schema;
        }
      }
    }
  }
  return document;
}

/** Registers on the root instance (both plugins are fastify-plugin wrapped), before any route. */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'LinkSnap API',
        version: '1',
        description: 'Errors are RFC 9457 application/problem+json documents (see the Problem schema).',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      // Relative: the document describes the instance that serves it, wherever it is deployed.
      servers: [{ url: '/', description: 'This instance' }],
      tags: [...API_TAGS],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'A session JWT from /v1/auth/login or /v1/auth/signup, or an API key (lsk_…)',
          },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `The web UI's cookie from POST /v1/auth/session; changes must echo the ${CSRF_COOKIE} cookie in ${CSRF_HEADER}`,
          },
        },
        schemas: { Problem: PROBLEM_JSON_SCHEMA as never },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: withProblems,
    transformObject: (document) =>
      'openapiObject' in document ? dropOpaqueSchemas(document.openapiObject) : document.swaggerObject,
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  // GET /openapi.json
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
