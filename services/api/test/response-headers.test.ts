/**
 * The browser hardening headers of every kind of response, pinned as a whole: the app's JSON and
 * problem+json, the API reference and the queue dashboard, archived pages and other artifacts,
 * and the archive listener's replay player and bundles; HSTS only over TLS. Whatever writes
 * them, a header added, lost or changed fails here. CSPs compare as sets of directives.
 * Real PostgreSQL, Redis and embedded S3.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ARTIFACT_KINDS, type Artifact, type ArtifactKind, artifactKey } from '@linksnap/shared';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { replayCsp } from '../src/http/replay.js';
import { archivedPageCsp } from '../src/routes/snapshots.routes.js';
import { bearer, type Harness, isProblem, startHarness, succeededResult } from './helpers.js';

/** Every header a hardening layer (ours or helmet's defaults) might write or remove. */
const PINNED = [
  'content-security-policy',
  'referrer-policy',
  'x-frame-options',
  'x-content-type-options',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'cross-origin-embedder-policy',
  'permissions-policy',
  'strict-transport-security',
  'origin-agent-cluster',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-permitted-cross-domain-policies',
  'x-xss-protection',
  'x-powered-by',
];

/** A CSP as its set of directives: `a; b` and `a;b` are the same policy. */
const directives = (csp: string) =>
  csp
    .split(';')
    .map((d) => d.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .sort();

function pinnedHeaders(res: LightMyRequestResponse): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name of PINNED) {
    const value = res.headers[name];
    if (value === undefined) continue;
    out[name] = name === 'content-security-policy' ? directives(String(value)) : String(value);
  }
  return out;
}

const APP_CSP = "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'self'";
const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "base-uri 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');
const HSTS = 'max-age=31536000; includeSubDomains';

const COMMON: Record<string, string> = {
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  // Helmet's, kept: an archived page's dns-prefetch hints must not reach the live web either.
  'x-dns-prefetch-control': 'off',
};

/** The common headers with this CSP; an override of `undefined` means the header is absent. */
function expected(csp: string, overrides: Record<string, string | undefined> = {}) {
  const all: Record<string, string | string[] | undefined> = {
    ...COMMON,
    'content-security-policy': directives(csp),
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

describe('response headers', () => {
  let h: Harness;
  let archiveApp: FastifyInstance;
  const adminEmail = `ops-${randomUUID()}@example.test`;
  /** The archive listener's Host header; the app is on port 3000 of the same name. */
  const archiveHost = 'snap.test:3001';
  const ancestors = "'self' http://snap.test:3000";
  let token: string;
  let adminToken: string;
  let snapshotId: string;

  before(async () => {
    h = await startHarness({ archiveListener: true, extra: { ADMIN_EMAILS: adminEmail } });
    archiveApp = h.api.archiveApp as FastifyInstance;
    // As if listening: the archive listener is framed by the app on port 3000.
    h.api.archiveSite.listening(3000, 3001);
    token = (await h.signup()).token;
    const admin = await h.api.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: adminEmail, password: 'correct horse battery' },
    });
    adminToken = admin.json().token;
    snapshotId = await archivedSnapshot();
  });
  after(() => h.close());

  const get = (url: string, options: Pick<InjectOptions, 'headers'> = {}) =>
    h.api.app.inject({ method: 'GET', url, ...options });
  const getArchive = (url: string, headers: Record<string, string> = {}) =>
    archiveApp.inject({ method: 'GET', url, headers: { host: archiveHost, ...headers } });
  /** Path and query of a signed URL (it names the archive listener's origin). */
  const pathOf = (url: string) => {
    const u = new URL(url, 'http://x');
    return `${u.pathname}${u.search}`;
  };

  async function archivedSnapshot(): Promise<string> {
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(token),
      payload: { url: 'http://8.8.8.8/headers' },
    });
    const { link, snapshot } = created.json();
    const put = async (kind: ArtifactKind, body: string): Promise<Artifact> => ({
      kind,
      ...(await h.api.storage.put(artifactKey(snapshot.id, kind), Buffer.from(body), ARTIFACT_KINDS[kind].contentType)),
    });
    const artifacts = [
      await put('html', '<!doctype html><p>archived</p>'),
      await put('screenshot', 'not really a webp'),
      await put('wacz', 'not really a wacz'),
    ];
    await h.deliverResult(succeededResult(snapshot.id, link.id, { artifacts }));
    return snapshot.id;
  }

  it('gives /v1 JSON and its problem+json errors the app policy', async () => {
    const json = await get('/v1/links', { headers: bearer(token) });
    assert.equal(json.statusCode, 200);
    assert.deepEqual(pinnedHeaders(json), expected(APP_CSP));

    const missing = await get(`/v1/links/${randomUUID()}`, { headers: bearer(token) });
    const noRoute = await get('/v1/no-such-route');
    const unauthenticated = await get('/v1/links');
    for (const [res, status] of [
      [missing, 404],
      [noRoute, 404],
      [unauthenticated, 401],
    ] as const) {
      assert.equal(res.statusCode, status);
      assert.ok(isProblem(res));
      assert.deepEqual(pinnedHeaders(res), expected(APP_CSP));
    }
    assert.deepEqual(pinnedHeaders(await get('/openapi.json')), expected(APP_CSP));
  });

  it('gives /docs and the queue dashboard the relaxed docs policy', async () => {
    for (const url of ['/docs', '/docs?tab=1', '/docs/static/swagger-initializer.js']) {
      const res = await get(url);
      assert.equal(res.statusCode, 200, url);
      assert.deepEqual(pinnedHeaders(res), expected(DOCS_CSP), url);
    }
    assert.deepEqual(pinnedHeaders(await get('/docs/openapi.json')), expected(DOCS_CSP));

    const dashboard = await get('/admin/queues', { headers: bearer(adminToken) });
    assert.equal(dashboard.statusCode, 200);
    assert.deepEqual(pinnedHeaders(dashboard), expected(DOCS_CSP));
    const queues = await get('/admin/queues/api/queues', { headers: bearer(adminToken) });
    assert.equal(queues.statusCode, 200);
    assert.deepEqual(pinnedHeaders(queues), expected(DOCS_CSP));
    const denied = await get('/admin/queues', { headers: bearer(token) });
    assert.equal(denied.statusCode, 404);
    assert.deepEqual(pinnedHeaders(denied), expected(DOCS_CSP));
  });

  it('serves an archived page sandboxed, framable by the app’s own origin only', async () => {
    const html = await get(`/v1/snapshots/${snapshotId}/artifacts/html`, { headers: bearer(token) });
    assert.equal(html.statusCode, 200);
    assert.deepEqual(pinnedHeaders(html), expected(archivedPageCsp("'self'"), { 'x-frame-options': 'SAMEORIGIN' }));
  });

  it('serves signed artifacts on the archive listener framable by the app, without X-Frame-Options', async () => {
    const sign = async (kind: string) =>
      pathOf((await get(`/v1/snapshots/${snapshotId}/artifacts/${kind}/url`, { headers: bearer(token) })).json().url);
    const html = await getArchive(await sign('html'));
    assert.equal(html.statusCode, 200);
    assert.deepEqual(pinnedHeaders(html), expected(archivedPageCsp(ancestors), { 'x-frame-options': undefined }));
    const screenshot = await getArchive(await sign('screenshot'));
    assert.equal(screenshot.statusCode, 200);
    assert.deepEqual(
      pinnedHeaders(screenshot),
      expected(`frame-ancestors ${ancestors}`, {
        'x-frame-options': undefined,
        'cross-origin-resource-policy': 'cross-origin',
      }),
    );
    const problem = await getArchive('/v1/links');
    assert.equal(problem.statusCode, 404);
    assert.deepEqual(pinnedHeaders(problem), expected(APP_CSP));
  });

  it('serves the replay player framable by the app, and its bundles under the replay policy', async () => {
    const signed = await get(`/v1/snapshots/${snapshotId}/replay`, { headers: bearer(token) });
    const player = await getArchive(pathOf(signed.json().url));
    assert.equal(player.statusCode, 200);
    assert.deepEqual(pinnedHeaders(player), expected(replayCsp(ancestors), { 'x-frame-options': undefined }));
    const index = await getArchive('/replay/');
    assert.equal(index.statusCode, 200);
    assert.deepEqual(pinnedHeaders(index), expected(replayCsp(ancestors), { 'x-frame-options': undefined }));
    for (const bundle of ['/replay/sw.js?serveIndex=1', '/replay/ui.js']) {
      const res = await getArchive(bundle);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(pinnedHeaders(res), expected(replayCsp(ancestors)));
    }
  });

  it('sends HSTS only over TLS, and believes no X-Forwarded-Proto without TRUST_PROXY', async () => {
    assert.deepEqual(pinnedHeaders(await get('/healthz')), expected(APP_CSP));
    // Any client can send the header: without a trusted proxy it proves nothing.
    for (const proto of ['http', 'https', 'HTTPS, http']) {
      const claimed = await get('/healthz', { headers: { 'x-forwarded-proto': proto } });
      assert.deepEqual(pinnedHeaders(claimed), expected(APP_CSP), proto);
    }
    const bundle = await getArchive('/replay/sw.js?serveIndex=1', { 'x-forwarded-proto': 'https' });
    assert.equal(bundle.headers['strict-transport-security'], undefined);
  });
});

describe('behind a trusted proxy (TRUST_PROXY)', () => {
  let h: Harness;
  const email = `proxied-${randomUUID()}@example.test`;
  const password = 'correct horse battery';

  before(async () => {
    // Injected requests come from 127.0.0.1: the proxy's address here.
    h = await startHarness({
      archiveListener: true,
      extra: { TRUST_PROXY: '127.0.0.1', LOGIN_RATE_LIMIT_PER_IP: '2' },
    });
    h.api.archiveSite.listening(3000, 3001);
    const res = await h.api.app.inject({ method: 'POST', url: '/v1/auth/signup', payload: { email, password } });
    assert.equal(res.statusCode, 201);
  });
  after(() => h.close());

  const get = (url: string, proto: string) =>
    h.api.app.inject({ method: 'GET', url, headers: { 'x-forwarded-proto': proto } });

  it("sends HSTS when the proxy's X-Forwarded-Proto (its last entry) says https", async () => {
    for (const proto of ['https', 'HTTPS', 'http, https']) {
      const res = await get('/healthz', proto);
      assert.deepEqual(pinnedHeaders(res), expected(APP_CSP, { 'strict-transport-security': HSTS }), proto);
    }
    for (const proto of ['http', 'https, http'])
      assert.equal((await get('/healthz', proto)).headers['strict-transport-security'], undefined, proto);
    const docs = await get('/docs/openapi.json', 'https');
    assert.deepEqual(pinnedHeaders(docs), expected(DOCS_CSP, { 'strict-transport-security': HSTS }));
    const bundle = await (h.api.archiveApp as FastifyInstance).inject({
      method: 'GET',
      url: '/replay/sw.js?serveIndex=1',
      headers: { host: 'snap.test:3001', 'x-forwarded-proto': 'https' },
    });
    assert.equal(bundle.headers['strict-transport-security'], HSTS);
  });

  it('marks session cookies Secure exactly when the request came over TLS', async () => {
    const signIn = (proto: string) =>
      h.api.app.inject({
        method: 'POST',
        url: '/v1/auth/session',
        headers: { 'x-forwarded-proto': proto, 'x-forwarded-for': '198.51.100.7' },
        payload: { email, password },
      });
    for (const [proto, secure] of [
      ['https', true],
      ['http', false],
    ] as const) {
      const res = await signIn(proto);
      assert.equal(res.statusCode, 200, res.body);
      const cookies = res.cookies;
      assert.equal(cookies.length, 2, proto);
      for (const cookie of cookies) assert.equal(Boolean(cookie.secure), secure, `${proto} ${cookie.name}`);
    }
  });

  it("limits logins by the client's address, not the proxy's", async () => {
    const login = (client: string) =>
      h.api.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        headers: { 'x-forwarded-for': client },
        payload: { email, password: 'not the password' },
      });
    assert.equal((await login('203.0.113.1')).statusCode, 401);
    assert.equal((await login('203.0.113.1')).statusCode, 401);
    const limited = await login('203.0.113.1');
    assert.equal(limited.statusCode, 429);
    assert.ok(isProblem(limited));
    // Another client behind the same proxy still has its own budget.
    assert.equal((await login('203.0.113.2')).statusCode, 401);
  });
});
