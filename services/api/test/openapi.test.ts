import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { LightMyRequestResponse } from 'fastify';
import type { z } from 'zod';
import { buildWacz } from '../../../test/support/wacz-fixture.js';
import type { ApiKeysService } from '../src/domain/api-keys.service.js';
import type { ArchiveLinks } from '../src/domain/archive-links.js';
import type { ImportExportService } from '../src/domain/import-export.service.js';
import type { JobsService } from '../src/domain/jobs.service.js';
import type { LinksService } from '../src/domain/links.service.js';
import type { LinksAdminService } from '../src/domain/links-admin.service.js';
import type { LinksQueryService } from '../src/domain/links-query.service.js';
import type { SchedulesService } from '../src/domain/schedules.service.js';
import type { SnapshotsService } from '../src/domain/snapshots.service.js';
import type { TagsService } from '../src/domain/tags.service.js';
import type { UsersService } from '../src/domain/users.service.js';
import type { VersionsService } from '../src/domain/versions.service.js';
import { encodePng } from '../src/domain/visual-diff.js';
import type { WebhooksService } from '../src/domain/webhooks.service.js';
import type * as responses from '../src/routes/response.schemas.js';
import { bearer, type Harness, startHarness, succeededResult } from './helpers.js';

type Media = { schema?: unknown };
type Response = { description: string; headers?: Record<string, unknown>; content?: Record<string, Media> };
type Operation = { responses: Record<string, Response>; security?: unknown[] };
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

/**
 * Routes deliberately left out of the document, each with the reason. Anything else that is
 * registered must be documented, and nothing on this list may be: a route hidden by mistake
 * fails the test, and so does a forgotten exclusion.
 */
const UNDOCUMENTED: { pattern: RegExp; why: string; onlyWithBuiltUi?: true }[] = [
  { pattern: /^\/openapi\.json$/, why: 'the document itself' },
  { pattern: /^\/docs(\/.*)?$/, why: 'the interactive reference (swagger-ui page, assets, its copy of the document)' },
  {
    pattern: /^\/admin\/queues(\/.*)?$/,
    why: "bull-board's dashboard and its private JSON API: admin-only, versioned with bull-board, not ours to describe",
  },
  {
    pattern: /^\/metrics$/,
    why: 'Prometheus text exposition for scrapers; the format is Prometheus’s, not a JSON API',
  },
  {
    pattern: /^\/(\*)?$/,
    why: "the web UI's HTML pages (SPA fallback for page navigations only)",
    onlyWithBuiltUi: true,
  },
  { pattern: /^\/assets\/\*$/, why: "the web UI's static build assets", onlyWithBuiltUi: true },
  {
    pattern: /^\/(manifest\.webmanifest|sw\.js|icons\/:name)$/,
    why: "the installable web app's manifest, service worker and icons",
    onlyWithBuiltUi: true,
  },
  {
    pattern: /^\/replay\/(ui\.js|sw\.js)?$/,
    why: "ReplayWeb.page's bundles and app page (its service worker's scope)",
  },
  { pattern: /^\/replay-player\/:id$/, why: 'the HTML replay player, reached through GET /v1/snapshots/{id}/replay' },
];

/**
 * Every route in Fastify's router, from `printRoutes` (an onRoute hook added after the app is
 * built would miss the routes registered at the root before it). Each line of the tree is one
 * segment under its parent, with the methods it answers in parentheses.
 */
function registeredRoutes(tree: string): { method: string; url: string }[] {
  const routes: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4;
    stack.length = depth;
    stack.push(match[2] as string);
    for (const method of match[3]?.split(', ') ?? [])
      routes.push({ method, url: stack.join('').replace(/^\/\//, '/') });
  }
  return routes;
}

/** The field names of a type, nested through objects and arrays (leaf types do not matter). */
type Fields<T> = T extends readonly (infer U)[]
  ? Fields<U>
  : T extends object
    ? { [K in keyof T]-?: Fields<NonNullable<T[K]>> }
    : true;
/** What a service method resolves to. */
type Returns<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;
/** `true` only when the schema names exactly the fields of what the service returns. */
type SameFields<View, Schema extends z.ZodType> = [Fields<View>] extends [Fields<z.output<Schema>>]
  ? [Fields<z.output<Schema>>] extends [Fields<View>]
    ? true
    : false
  : false;

/**
 * Checked by tsc: every response schema names every field of the view its route returns, and
 * no other. The serializer silently drops fields a schema does not name (the web UI and the
 * CLI would lose them), and fails on fields it names that are missing.
 */
export const RESPONSE_FIELDS = {
  signup: true satisfies SameFields<Returns<UsersService['signup']>, typeof responses.sessionView>,
  me: true satisfies SameFields<{ user: Returns<UsersService['login']>['user'] }, typeof responses.currentUser>,
  apiKeyCreated: true satisfies SameFields<Returns<ApiKeysService['create']>, typeof responses.apiKeyCreated>,
  apiKeys: true satisfies SameFields<Returns<ApiKeysService['list']>[number], typeof responses.apiKeyView>,
  linkCreated: true satisfies SameFields<Returns<LinksService['create']>, typeof responses.linkCreated>,
  link: true satisfies SameFields<Returns<LinksService['get']>, typeof responses.linkView>,
  capture: true satisfies SameFields<{ snapshot: Returns<LinksService['capture']> }, typeof responses.snapshotQueued>,
  linkPage: true satisfies SameFields<Returns<LinksQueryService['list']>, typeof responses.linkPage>,
  versions: true satisfies SameFields<Returns<LinksAdminService['versions']>[number], typeof responses.versionView>,
  snapshot: true satisfies SameFields<Returns<SnapshotsService['get']>, typeof responses.snapshotView>,
  job: true satisfies SameFields<Returns<JobsService['get']>, typeof responses.jobView>,
  signedUrl: true satisfies SameFields<ReturnType<ArchiveLinks['sign']>, typeof responses.signedArtifactUrl>,
  tags: true satisfies SameFields<Returns<TagsService['list']>[number], typeof responses.tagView>,
  tag: true satisfies SameFields<Returns<TagsService['merge']>, typeof responses.tagView>,
  importReport: true satisfies SameFields<Returns<ImportExportService['import']>, typeof responses.importReport>,
  webhookCreated: true satisfies SameFields<Returns<WebhooksService['create']>, typeof responses.webhookCreated>,
  webhooks: true satisfies SameFields<Returns<WebhooksService['list']>[number], typeof responses.webhookView>,
  schedule: true satisfies SameFields<Returns<SchedulesService['setForLink']>, typeof responses.scheduleView>,
  diff: true satisfies SameFields<Returns<VersionsService['diff']>, typeof responses.diffView>,
};

const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const isSuccess = (status: string) => /^[23]/.test(status);

/** An admin by ADMIN_EMAILS: the shared database's first account belongs to another test. */
const ADMIN_EMAIL = `admin-${randomUUID()}@example.test`;

describe('OpenAPI document', () => {
  let h: Harness;
  let doc: Doc;
  let ajv: Ajv2020;
  /** "get /v1/links/{id}": operations a real success response was validated for. */
  const exercised = new Set<string>();

  before(async () => {
    h = await startHarness({ extra: { ADMIN_EMAILS: ADMIN_EMAIL } });
    const res = await h.api.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json();
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  });
  after(() => h.close());

  /** The documented response for a status: exact, else its `2XX`-style range. */
  function documentedResponse(path: string, method: string, status: number): Response {
    const operation = doc.paths[path]?.[method];
    assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
    const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`];
    assert.ok(response, `${method.toUpperCase()} ${path} documents ${status}`);
    return response;
  }

  /** A validator for a documented JSON body, with component refs pointing into the document. */
  function validatorFor(path: string, method: string, status: number, mediaType = 'application/json') {
    const schema = documentedResponse(path, method, status).content?.[mediaType]?.schema;
    assert.ok(schema, `${method.toUpperCase()} ${path} ${status} documents a ${mediaType} schema`);
    return ajv.compile(
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')),
    ) as ValidateFunction;
  }

  /**
   * Checks a real response against the document: the status is documented; a body-less
   * response is documented without content; the media type is documented; a JSON body
   * validates against its schema; a Location header is documented.
   */
  function validateAgainstDoc(path: string, method: string, res: LightMyRequestResponse): void {
    const what = `${method.toUpperCase()} ${path} ${res.statusCode}`;
    const response = documentedResponse(path, method, res.statusCode);
    if (res.statusCode === 204) {
      assert.equal(res.body, '', `${what} sends no body`);
      assert.equal(response.content, undefined, `${what} is documented without content`);
    } else {
      const mediaType = String(res.headers['content-type']).split(';')[0] as string;
      const media = response.content?.[mediaType] ?? response.content?.['*/*'];
      assert.ok(media, `${what} documents ${mediaType}`);
      if (media.schema !== undefined) {
        assert.match(mediaType, /json$/, `${what}: only JSON bodies have a schema`);
        const validate = validatorFor(path, method, res.statusCode, mediaType);
        assert.ok(validate(res.json()), `${what}: ${ajv.errorsText(validate.errors)}\n${res.body.slice(0, 2000)}`);
      }
    }
    if (res.headers.location !== undefined) {
      assert.ok(response.headers?.Location, `${what} documents its Location header`);
    }
    if (isSuccess(String(res.statusCode))) exercised.add(`${method} ${path}`);
  }

  const call = (method: string, url: string, options: { token?: string; payload?: unknown; headers?: object } = {}) =>
    h.api.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(options.token ? bearer(options.token) : {}), ...options.headers },
      payload: options.payload as object,
    });

  /** Calls `url` (with `:params` filled in) and checks the answer against the document. */
  async function check(
    method: string,
    route: string,
    params: Record<string, string>,
    options: { token?: string; payload?: unknown; headers?: object; status: number },
  ): Promise<LightMyRequestResponse> {
    const url = route.replace(/:([A-Za-z]+)/g, (_, name: string) => params[name] as string);
    const res = await call(method, url, options);
    assert.equal(res.statusCode, options.status, `${method} ${url}: ${res.body.slice(0, 500)}`);
    validateAgainstDoc(toOpenApiPath(route.split('?')[0] as string), method.toLowerCase(), res);
    return res;
  }

  /** A finished capture with a screenshot, applied through the results queue like a worker's. */
  async function succeed(snapshotId: string, linkId: string, title: string): Promise<void> {
    // A real PNG whose colour follows the title, so two versions have a visual diff.
    const shade = title.length % 2 === 0 ? 255 : 0;
    const image = {
      width: 8,
      height: 8,
      data: new Uint8Array(8 * 8 * 4).fill(shade).map((v, i) => (i % 4 === 3 ? 255 : v)),
    };
    const artifact = await h.api.storage.put(
      `snapshots/${snapshotId}/screenshot.png`,
      await encodePng(image),
      'image/png',
    );
    const page = { url: 'http://8.8.8.8/page', status: 200, statusText: 'OK', date: new Date() };
    const body = Buffer.from(`<p>${title}</p>`);
    const wacz = await buildWacz([{ ...page, headers: { 'content-type': 'text/html' }, body }], { ...page, title });
    const waczArtifact = await h.api.storage.put(`snapshots/${snapshotId}/wacz.wacz`, wacz, 'application/wacz+zip');
    await h.deliverResult(
      succeededResult(snapshotId, linkId, {
        title,
        text: `${title} body text`,
        timings: { navigate: 12 },
        artifacts: [
          { kind: 'screenshot', ...artifact },
          { kind: 'wacz', ...waczArtifact },
        ],
        missing: [{ kind: 'pdf', code: 'CAPTURE_FAILED', detail: 'no pdf' }],
      }),
    );
  }

  test('is OpenAPI 3.1 with a shared Problem schema', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.components.schemas.Problem);
  });

  test('documents every registered route with its success and problem+json responses', () => {
    const routes = registeredRoutes(h.api.app.printRoutes({ commonPrefix: false }));
    const byMethod = routes.filter((r) => r.method !== 'HEAD'); // HEAD mirrors GET (exposeHeadRoutes)
    assert.ok(
      byMethod.some((r) => r.method === 'DELETE' && r.url === '/v1/snapshots/:id'),
      'the route tree is read',
    );
    assert.ok(byMethod.length > 30, `collected ${byMethod.length} routes`);
    for (const route of byMethod) {
      const what = `${route.method} ${route.url}`;
      const excluded = UNDOCUMENTED.find((e) => e.pattern.test(route.url));
      const operation = doc.paths[toOpenApiPath(route.url)]?.[route.method.toLowerCase()];
      if (excluded) {
        assert.equal(operation, undefined, `${what} is left out (${excluded.why})`);
        continue;
      }
      assert.ok(operation, `${what} is in the document`);
      const statuses = Object.keys(operation.responses);
      assert.ok(statuses.some(isSuccess), `${what} documents a 2xx/3xx response (has ${statuses})`);
      for (const status of statuses.filter(isSuccess)) {
        assert.notEqual(operation.responses[status]?.description, 'Default Response', `${what} ${status} is described`);
      }
      for (const range of ['4XX', '5XX']) {
        const problem: unknown = operation.responses[range]?.content?.['application/problem+json']?.schema;
        assert.deepEqual(problem, { $ref: '#/components/schemas/Problem' }, `${what} documents ${range}`);
      }
    }
    // And nothing is documented that the router does not answer.
    const registered = new Set(byMethod.map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`));
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) assert.ok(registered.has(`${method} ${path}`), `${method} ${path}`);
    }
    // Every exclusion still matches a registered route, so the list cannot go stale.
    for (const { pattern, why } of UNDOCUMENTED.filter((e) => !e.onlyWithBuiltUi)) {
      assert.ok(
        byMethod.some((r) => pattern.test(r.url)),
        `exclusion ${pattern} (${why}) matches a route`,
      );
    }
  });

  test('marks only the public routes as needing no credentials', () => {
    const publicRoutes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => Array.isArray(operation.security) && operation.security.length === 0)
        .map(([method]) => `${method} ${path}`),
    );
    assert.deepEqual(publicRoutes.sort(), [
      'delete /v1/auth/session',
      'get /archive/{id}/{kind}',
      'get /healthz',
      'get /readyz',
      'get /v1/auth/signup',
      'post /v1/auth/login',
      'post /v1/auth/session',
      'post /v1/auth/signup',
    ]);
  });

  test('real responses of every documented operation validate against the document', async () => {
    await check('GET', '/healthz', {}, { status: 200 });
    // Readiness bounds each dependency's answer at 2 s: on a loaded machine the first S3 answer
    // can take longer (a documented 503). Wait for the dependencies, then check the 200 body.
    for (let i = 0; i < 40; i++) {
      if ((await h.api.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await check('GET', '/readyz', {}, { status: 200 });

    // Accounts and sessions. The instance's first account is an admin: on an empty database
    // that must not be the plain user below.
    await h.api.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: `first-${randomUUID()}@example.test`, password: 'correct horse battery' },
    });
    const email = `user-${randomUUID()}@example.test`;
    const credentials = { email, password: 'correct horse battery' };
    await check('POST', '/v1/auth/signup', {}, { payload: credentials, status: 201 });
    const login = await check('POST', '/v1/auth/login', {}, { payload: credentials, status: 200 });
    const token = login.json().token as string;
    await check('POST', '/v1/auth/session', {}, { payload: credentials, status: 200 });
    await check('DELETE', '/v1/auth/session', {}, { status: 204 });
    await check('GET', '/v1/auth/me', {}, { token, status: 200 });
    await check('GET', '/v1/auth/signup', {}, { status: 200 });
    const newAccount = { email: `other-${randomUUID()}@example.test`, password: 'correct horse battery' };
    await check('POST', '/v1/admin/users', {}, { token, payload: newAccount, status: 403 });
    const admin = { email: ADMIN_EMAIL, password: 'correct horse battery' };
    await check('POST', '/v1/auth/signup', {}, { payload: admin, status: 201 });
    const adminToken = (await check('POST', '/v1/auth/login', {}, { payload: admin, status: 200 })).json().token;
    await check('POST', '/v1/admin/users', {}, { token: adminToken, payload: newAccount, status: 201 });
    await check('GET', '/v1/usage', {}, { token, status: 200 });
    await check('GET', '/v1/usage?scope=instance', {}, { token, status: 403 });
    await check('GET', '/v1/usage?scope=instance', {}, { token: adminToken, status: 200 });
    const key = await check('POST', '/v1/api-keys', {}, { token, payload: { name: 'script' }, status: 201 });
    await check('GET', '/v1/api-keys', {}, { token: key.json().key, status: 200 });
    await check('DELETE', '/v1/api-keys/:id', { id: key.json().id }, { token, status: 204 });

    // Links, captures, versions and artifacts.
    const title = `Documented ${randomUUID().slice(0, 8)}`;
    const created = await check(
      'POST',
      '/v1/links',
      {},
      { token, payload: { url: `http://8.8.8.8/${randomUUID()}`, tags: ['docs'] }, status: 202 },
    );
    const { link, snapshot } = created.json();
    const id = link.id as string;
    const pasted = { urls: [`http://8.8.8.8/${randomUUID()}`, link.url, 'not a url'], tags: ['docs'] };
    await check('POST', '/v1/links/batch', {}, { token, payload: pasted, status: 200 });
    await check('POST', '/v1/links/batch', {}, { token, payload: { urls: [] }, status: 400 });
    await check('GET', '/v1/jobs/:id', { id: snapshot.id }, { token, status: 200 }); // queued
    await succeed(snapshot.id, id, title);
    await check('GET', '/v1/jobs/:id', { id: snapshot.id }, { token, status: 200 }); // finished
    await check('GET', '/v1/links/:id', { id }, { token, status: 200 });
    await check('GET', '/v1/links', {}, { token, status: 200 });
    await h.api.searchIndexer.drain();
    const found = await check('GET', `/v1/links?q=${encodeURIComponent(title)}`, {}, { token, status: 200 });
    assert.equal(found.json().items[0]?.id, id, 'search finds the link (and documents `match`)');
    assert.equal(found.json().items[0]?.match.snapshotId, snapshot.id);
    await check(
      'PATCH',
      '/v1/links/:id',
      { id },
      { token, payload: { title: 'Edited', addTags: ['more'] }, status: 200 },
    );
    await check('GET', '/v1/snapshots/:id', { id: snapshot.id }, { token, status: 200 });
    const png = await check(
      'GET',
      '/v1/snapshots/:id/artifacts/:kind',
      { id: snapshot.id, kind: 'screenshot' },
      { token, status: 200 },
    );
    assert.equal(png.headers['content-type'], 'image/png');
    const signed = await check(
      'GET',
      '/v1/snapshots/:id/artifacts/:kind/url',
      { id: snapshot.id, kind: 'screenshot' },
      { token, status: 200 },
    );
    await check('GET', '/v1/snapshots/:id/replay', { id: snapshot.id }, { token, status: 200 });
    const merged = await check('GET', '/v1/links/:id/export.wacz', { id }, { token, status: 200 });
    assert.equal(merged.headers['content-type'], 'application/wacz+zip');
    const archived = new URL(signed.json().url, 'http://api.invalid');
    const viaArchive = await call('GET', `${archived.pathname}${archived.search}`);
    assert.equal(viaArchive.statusCode, 200);
    validateAgainstDoc('/archive/{id}/{kind}', 'get', viaArchive);

    // The event stream of a finished job: its final state, which is a job view.
    const events = await check('GET', '/v1/jobs/:id/events', { id: snapshot.id }, { token, status: 200 });
    const data = /^event: state\ndata: (.*)$/m.exec(events.body)?.[1];
    assert.ok(data, events.body);
    const jobSchema = validatorFor('/v1/jobs/{id}', 'get', 200);
    assert.ok(jobSchema(JSON.parse(data)), ajv.errorsText(jobSchema.errors));

    const again = await check('POST', '/v1/links/:id/snapshots', { id }, { token, status: 202 });
    await check('GET', '/v1/links/:id/snapshots', { id }, { token, status: 200 });
    await succeed(again.json().snapshot.id, id, `${title}, changed`);
    const versions = { id: again.json().snapshot.id, against: snapshot.id };
    const diff = await check('GET', '/v1/snapshots/:id/diff?against=:against', versions, { token, status: 200 });
    assert.equal(diff.json().visual.changedRatio, 1);
    const diffPng = await check('GET', '/v1/snapshots/:id/diff.png?against=:against', versions, { token, status: 200 });
    assert.equal(diffPng.headers['content-type'], 'image/png');
    await check('PUT', '/v1/links/:id/schedule', { id }, { token, payload: { every: 'weekly' }, status: 200 });
    await check('PUT', '/v1/links/:id/schedule', { id }, { token, payload: { every: '* * * * *' }, status: 400 });
    await check('DELETE', '/v1/links/:id/schedule', { id }, { token, status: 204 });
    await check('DELETE', '/v1/snapshots/:id', { id: again.json().snapshot.id }, { token, status: 204 });

    // Tags.
    const first = await check('POST', '/v1/tags', {}, { token, payload: { name: 'alpha' }, status: 201 });
    const second = await check('POST', '/v1/tags', {}, { token, payload: { name: 'beta' }, status: 201 });
    await check('GET', '/v1/tags?sort=count', {}, { token, status: 200 });
    await check('PATCH', '/v1/tags/:id', { id: first.json().id }, { token, payload: { name: 'gamma' }, status: 200 });
    await check(
      'POST',
      '/v1/tags/:id/merge',
      { id: first.json().id },
      { token, payload: { into: second.json().id }, status: 200 },
    );
    await check(
      'PUT',
      '/v1/tags/:id/schedule',
      { id: second.json().id },
      { token, payload: { every: 'daily' }, status: 200 },
    );
    await check('DELETE', '/v1/tags/:id/schedule', { id: second.json().id }, { token, status: 204 });
    await check('DELETE', '/v1/tags/:id', { id: second.json().id }, { token, status: 204 });

    // Import and export.
    const bookmarks = `<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF="http://8.8.4.4/${randomUUID()}">Imported</A>\n<DT><A HREF="ftp://bad">Bad</A>\n</DL>`;
    const imported = await check(
      'POST',
      '/v1/import',
      {},
      { token, payload: bookmarks, headers: { 'content-type': 'text/html' }, status: 200 },
    );
    assert.equal(imported.json().created, 1);
    assert.equal(imported.json().invalid.length, 1);
    const exported = await check('GET', '/v1/export', {}, { token, status: 200 });
    assert.match(exported.body, /NETSCAPE-Bookmark-file-1/);
    const zipped = await check('GET', '/v1/export?archives=wacz', {}, { token, status: 200 });
    assert.equal(zipped.headers['content-type'], 'application/zip');

    // Webhooks.
    const hook = await check(
      'POST',
      '/v1/webhooks',
      {},
      { token, payload: { url: 'http://8.8.8.8/hook', events: ['snapshot.failed'] }, status: 201 },
    );
    await check('GET', '/v1/webhooks', {}, { token, status: 200 });
    await check('DELETE', '/v1/webhooks/:id', { id: hook.json().id }, { token, status: 204 });

    await check('DELETE', '/v1/links/:id', { id }, { token, status: 204 });

    // Problems: validation, authentication, not found, conflict.
    await check('POST', '/v1/links', {}, { token, payload: { url: '' }, status: 400 });
    await check('POST', '/v1/links', {}, { payload: { url: 'https://a.b' }, status: 401 });
    await check('GET', '/v1/links/:id', { id: randomUUID() }, { token, status: 404 });
    await check('POST', '/v1/auth/signup', {}, { payload: credentials, status: 409 });

    // Every documented operation was called above and answered as documented.
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    assert.deepEqual(
      documented.filter((op) => !exercised.has(op)),
      [],
      'documented operations without a validated success response',
    );
  });

  test('the validation rejects a wrongly typed, missing or unexpected field', async () => {
    const user = await h.signup();
    const res = await call('GET', '/v1/auth/me', { token: user.token });
    const validate = validatorFor('/v1/auth/me', 'get', 200);
    const body = res.json() as { user: Record<string, unknown> };
    assert.ok(validate(body), ajv.errorsText(validate.errors));
    assert.equal(validate({ user: { ...body.user, id: 42 } }), false, 'a number where a string is documented');
    const { createdAt: _, ...withoutCreatedAt } = body.user;
    assert.equal(validate({ user: withoutCreatedAt }), false, 'a required field missing');
    assert.equal(validate({ user: { ...body.user, isAdmin: true } }), false, 'a field the document does not name');
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
    // Everything else keeps the strict policy (response-headers.test.ts pins it whole).
    const health = await h.api.app.inject({ method: 'GET', url: '/healthz' });
    const strict = String(health.headers['content-security-policy']);
    assert.match(strict, /base-uri 'none'/);
    assert.doesNotMatch(strict, /unsafe-inline|data:/);
  });
});
