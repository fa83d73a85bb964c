/**
 * The OpenAPI 3.1 document, generated from the route schemas (zod → JSON Schema), served at
 * /openapi.json, with an interactive reference at /docs. Every documented route also lists the
 * problem+json errors it can answer with; the Problem schema is the one the error handler sends.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';

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

/** jsonSchemaTransform, plus problem+json 4XX/5XX responses on every visible route. */
const withProblems: Transform = (input) => {
  const out = jsonSchemaTransform(input) as { schema: Record<string, unknown> | undefined; url: string };
  out.schema ??= {};
  if (!out.schema.hide) {
    const response = (out.schema.response ?? {}) as Record<string, unknown>;
    response['4XX'] ??= problemResponse('Client error (RFC 9457 problem details)');
    response['5XX'] ??= problemResponse('Server error or dependency unavailable (RFC 9457 problem details)');
    out.schema.response = response;
  }
  return out as ReturnType<Transform>;
};

/** Registers on the root instance (both plugins are fastify-plugin wrapped), before any route. */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'LinkSnap API',
        version: '1',
        description: 'Errors are RFC 9457 application/problem+json documents (see the Problem schema).',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { Problem: PROBLEM_JSON_SCHEMA as never },
      },
      security: [{ bearer: [] }],
    },
    transform: withProblems,
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
  // GET /openapi.json
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
