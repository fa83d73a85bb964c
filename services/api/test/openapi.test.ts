import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import { APP_CSP } from '../src/http/security-headers.js';
import { bearer, type Harness, startHarness } from './helpers.js';

type Response = { content?: Record<string, { schema?: unknown }> };
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { schemas: Record<string, unknown> };
};

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: Doc;
  const routes: { method: string; url: string; hidden: boolean }[] = [];
  let ajv: Ajv2020;

  before(async () => {
    h = await startHarness();
    // Added before the first inject, so every plugin's routes pass through it.
    h.api.app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const hidden = Boolean((route.schema as { hide?: boolean } | undefined)?.hide);
      for (const method of methods) routes.push({ method, url: route.url, hidden });
    });
    const res = await h.api.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json();
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  });
  after(() => h.close());

  /** The documented schema of a response, with component refs pointing into the document. */
  function validateAgainstDoc(path: string, method: string, res: LightMyRequestResponse): void {
    const operation = doc.paths[path]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
    const status = String(res.statusCode);
    const response = operation.responses[status] ?? operation.responses[`${status[0]}XX`];
    assert.ok(response, `${method.toUpperCase()} ${path} documents ${status}`);
    const contentType = String(res.headers['content-type']).split(';')[0] as string;
    const schema = response.content?.[contentType]?.schema;
    assert.ok(schema, `${method.toUpperCase()} ${path} ${status} documents ${contentType}`);
    const validate = ajv.compile(
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')),
    );
    assert.ok(validate(res.json()), `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors)}`);
  }

  test('is OpenAPI 3.1 with a shared Problem schema', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.components.schemas.Problem);
  });

  test('documents every registered route, with problem+json errors', () => {
    const visible = routes.filter((r) => !r.hidden && r.method !== 'HEAD' && !r.url.startsWith('/docs'));
    assert.ok(visible.length > 20, `collected ${visible.length} routes`);
    for (const route of visible) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      assert.ok(operation, `${route.method} ${route.url} is in the document`);
      assert.ok(operation.responses['4XX'], `${route.method} ${route.url} documents 4XX`);
      assert.ok(operation.responses['5XX'], `${route.method} ${route.url} documents 5XX`);
    }
  });

  test('real responses validate against their documented schemas', async () => {
    const inject = (method: string, url: string, options: { token?: string; payload?: unknown } = {}) =>
      h.api.app.inject({
        method: method as 'GET',
        url,
        headers: options.token ? bearer(options.token) : {},
        payload: options.payload as object,
      });
    validateAgainstDoc('/healthz', 'get', await inject('GET', '/healthz'));
    validateAgainstDoc('/readyz', 'get', await inject('GET', '/readyz'));
    const email = `user-${crypto.randomUUID()}@example.test`;
    const signup = await inject('POST', '/v1/auth/signup', { payload: { email, password: 'correct horse battery' } });
    validateAgainstDoc('/v1/auth/signup', 'post', signup);
    const login = await inject('POST', '/v1/auth/login', { payload: { email, password: 'correct horse battery' } });
    validateAgainstDoc('/v1/auth/login', 'post', login);
    const token = login.json().token as string;
    const created = await inject('POST', '/v1/links', {
      token,
      payload: { url: 'https://example.com/a', tags: ['x'] },
    });
    assert.equal(created.statusCode, 202);
    validateAgainstDoc('/v1/links', 'post', created);
    const { link, snapshot } = created.json();
    validateAgainstDoc('/v1/links/{id}', 'get', await inject('GET', `/v1/links/${link.id}`, { token }));
    validateAgainstDoc('/v1/jobs/{id}', 'get', await inject('GET', `/v1/jobs/${snapshot.id}`, { token }));
    // Problems: validation, authentication, not found.
    validateAgainstDoc('/v1/links', 'post', await inject('POST', '/v1/links', { token, payload: { url: '' } }));
    validateAgainstDoc('/v1/links', 'post', await inject('POST', '/v1/links', { payload: { url: 'https://a.b' } }));
    validateAgainstDoc('/v1/links/{id}', 'get', await inject('GET', `/v1/links/${crypto.randomUUID()}`, { token }));
  });

  test('serves an interactive reference at /docs whose CSP lets it render', async () => {
    let res = await h.api.app.inject({ method: 'GET', url: '/docs' });
    if (res.statusCode === 302) res = await h.api.app.inject({ method: 'GET', url: String(res.headers.location) });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger-ui/i);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /style-src 'self' 'unsafe-inline'/);
    assert.match(csp, /img-src 'self' data:/);
    const js = await h.api.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(js.statusCode, 200);
    // Everything else keeps the strict policy.
    const health = await h.api.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.headers['content-security-policy'], APP_CSP);
  });
});
