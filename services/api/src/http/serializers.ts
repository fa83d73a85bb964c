/**
 * Response serialization. Every response is written through its route's zod schema
 * (fastify-type-provider-zod), except the hot ones marked with `fastSerialized`: their schema
 * is compiled once, at start-up, to JSON Schema and then to a fast-json-stringify function.
 * Both write exactly the fields the schema names (anything else is dropped); the compiled one
 * costs a fraction of a zod encode, which job polling would otherwise pay on every request.
 */
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

const fast = new WeakSet<z.ZodType>();

/** Marks a response schema for the compiled serializer (it must be representable in JSON Schema). */
export function fastSerialized<T extends z.ZodType>(schema: T): T {
  fast.add(schema);
  return schema;
}

/**
 * zod marks every object closed (`additionalProperties: false`); fast-json-stringify drops
 * unnamed fields by itself, but checks the branches of a nullable object against the schema,
 * where a closed one would reject a value with extra fields that zod simply strips.
 */
function openObjects(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) openObjects(item);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.additionalProperties === false) delete record.additionalProperties;
    for (const value of Object.values(record)) openObjects(value);
  }
}

/** The same JSON as the zod serializer for `schema`, compiled to fast-json-stringify. */
export function compileFastSerializer(schema: z.ZodType): (data: unknown) => string {
  const json = z.toJSONSchema(schema, { target: 'draft-07', io: 'output', unrepresentable: 'throw' });
  openObjects(json);
  return fastJson(json as Parameters<typeof fastJson>[0]);
}

export const serializerCompiler: FastifySerializerCompiler<unknown> = (route) => {
  const schema = route.schema;
  if (schema instanceof z.ZodType && fast.has(schema)) return compileFastSerializer(schema);
  return zodSerializerCompiler(route as Parameters<typeof zodSerializerCompiler>[0]);
};
