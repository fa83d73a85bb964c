/**
 * The typed LinkSnap API client shared by the web UI and the CLI: openapi-fetch over the types
 * generated from the API's OpenAPI document (schema.ts), so a request or response shape is
 * written once, in the route's zod schema, and a client that no longer matches fails to compile.
 */
import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { operations, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

export type ApiClient = Client<paths>;

export interface ApiClientOptions extends ClientOptions {
  /** A session token or API key, sent as `Authorization: Bearer …` on every request. */
  token?: string;
}

/** A client of the instance at `baseUrl` ('' for the page's own origin). */
export function createApiClient({ token, ...options }: ApiClientOptions = {}): ApiClient {
  const client = createFetchClient<paths>(options);
  if (token) {
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    });
  }
  return client;
}

type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body an operation answers with for `status` (its success status by default). */
export type ResponseBody<
  Operation extends keyof operations,
  Status extends keyof operations[Operation]['responses'] = SuccessStatus<Operation>,
> = JsonOf<operations[Operation]['responses'][Status]>;

type SuccessStatus<Operation extends keyof operations> = Extract<
  keyof operations[Operation]['responses'],
  200 | 201 | 202
>;

/** The JSON body an operation takes. */
export type RequestBody<Operation extends keyof operations> = JsonOf<
  NonNullable<operations[Operation] extends { requestBody?: infer Body } ? Body : never>
>;
