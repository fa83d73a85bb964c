/**
 * API hardening: security headers, JWT pinning, API keys, rate limits, body limits and the
 * isolation of archived pages (signed archive URLs, CSP sandbox — checked in real Chromium).
 * Real PostgreSQL, Redis and embedded S3; nothing is reached but 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ARTIFACT_KINDS, type Artifact, type ArtifactKind, artifactKey } from '@linksnap/shared';
import { eq } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { SignJWT, UnsecuredJWT } from 'jose';
import { tempDir } from '../../../test/support/services.js';
import { users } from '../src/db/schema.js';
import { ARCHIVED_PAGE_CSP } from '../src/routes/snapshots.routes.js';
import { bearer, type Harness, isProblem, startHarness, succeededResult } from './helpers.js';

const SECRET = new TextEncoder().encode('test-secret-test-secret-test-secret-0123456789');
const run = promisify(execFile);

describe('security hardening', () => {
  let h: Harness;
  let baseUrl: string;
  /** /v1 requests that reached the server while an archived page was open in Chromium. */
  const v1Requests: { url: string; cookie?: string; authorization?: string }[] = [];

  before(async () => {
    h = await startHarness({
      extra: {
        LOGIN_RATE_LIMIT_PER_ACCOUNT: '3',
        LOGIN_RATE_LIMIT_PER_IP: '12',
        LINK_SUBMIT_RATE_LIMIT: '3',
      },
    });
    h.api.app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/v1/') && request.headers['user-agent']?.includes('HeadlessChrome')) {
        v1Requests.push({
          url: request.url,
          cookie: request.headers.cookie,
          authorization: request.headers.authorization,
        });
      }
    });
    await h.api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(h.api.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await h.close();
  });

  const inject = (opts: InjectOptions) => h.api.app.inject(opts);
  const get = (token: string, url: string) => inject({ method: 'GET', url, headers: bearer(token) });

  it('sets security headers on app responses, HSTS only over TLS', async () => {
    const res = await inject({ method: 'GET', url: '/healthz' });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['strict-transport-security'], undefined);
    // A client's own X-Forwarded-Proto is not TLS (a trusted proxy's is: response-headers.test.ts).
    const claimed = await inject({ method: 'GET', url: '/healthz', headers: { 'x-forwarded-proto': 'https' } });
    assert.equal(claimed.headers['strict-transport-security'], undefined);
    const problem = await inject({ method: 'GET', url: '/v1/links' });
    assert.equal(problem.statusCode, 401);
    assert.match(String(problem.headers['content-security-policy']), /frame-ancestors 'none'/);
  });

  it('rejects alg none, foreign keys, HS512, wrong issuer or audience, missing expiry and expired tokens', async () => {
    const user = await h.signup();
    const now = Math.floor(Date.now() / 1000);
    const claims = (b: SignJWT) => b.setSubject(user.userId).setIssuedAt(now);
    const good = (b: SignJWT) =>
      claims(b)
        .setIssuer('linksnap')
        .setAudience('linksnap-api')
        .setExpirationTime(now + 600);
    const tokens: Record<string, string> = {
      none: new UnsecuredJWT({})
        .setSubject(user.userId)
        .setIssuer('linksnap')
        .setAudience('linksnap-api')
        .setExpirationTime(now + 600)
        .encode(),
      otherKey: await good(new SignJWT({}).setProtectedHeader({ alg: 'HS256' })).sign(
        new TextEncoder().encode('another-secret-another-secret-0123456789'),
      ),
      hs512: await good(new SignJWT({}).setProtectedHeader({ alg: 'HS512' })).sign(SECRET),
      wrongIssuer: await claims(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }))
        .setIssuer('evil')
        .setAudience('linksnap-api')
        .setExpirationTime(now + 600)
        .sign(SECRET),
      wrongAudience: await claims(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }))
        .setIssuer('linksnap')
        .setAudience('other-api')
        .setExpirationTime(now + 600)
        .sign(SECRET),
      noExpiry: await claims(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }))
        .setIssuer('linksnap')
        .setAudience('linksnap-api')
        .sign(SECRET),
      expired: await claims(new SignJWT({}).setProtectedHeader({ alg: 'HS256' }))
        .setIssuer('linksnap')
        .setAudience('linksnap-api')
        .setExpirationTime(now - 60)
        .sign(SECRET),
    };
    const control = await good(new SignJWT({}).setProtectedHeader({ alg: 'HS256' })).sign(SECRET);
    assert.equal((await get(control, '/v1/api-keys')).statusCode, 200, 'a well-formed token passes');
    for (const [name, token] of Object.entries(tokens)) {
      const res = await get(token, '/v1/api-keys');
      assert.equal(res.statusCode, 401, name);
      assert.equal(res.json().code, 'UNAUTHENTICATED', name);
      assert.ok(isProblem(res), name);
      assert.equal(res.headers['www-authenticate'], 'Bearer', name);
    }
  });

  it('creates API keys shown once, lists them without key material, authenticates and revokes', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const created = await inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: bearer(user.token),
      payload: { name: 'cli' },
    });
    assert.equal(created.statusCode, 201);
    const { id, name, key } = created.json();
    assert.equal(name, 'cli');
    assert.match(key, /^lsk_[A-Za-z0-9_-]{40,}$/);

    const list = await get(user.token, '/v1/api-keys');
    assert.equal(list.statusCode, 200);
    assert.deepEqual(
      list.json().items.map((k: { id: string }) => k.id),
      [id],
    );
    assert.ok(!list.body.includes(key.slice(4)), 'no key material in the list');
    assert.ok(!JSON.stringify(list.json()).includes('hash'));
    assert.deepEqual((await get(other.token, '/v1/api-keys')).json().items, []);

    const withKey = await get(key, '/v1/api-keys');
    assert.equal(withKey.statusCode, 200, 'the key authenticates');
    assert.equal(withKey.json().items[0].id, id);
    assert.equal((await get(`${key}x`, '/v1/api-keys')).statusCode, 401);

    const foreign = await inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(other.token) });
    assert.equal(foreign.statusCode, 404, "another user's key is not found");
    const revoked = await inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(user.token) });
    assert.equal(revoked.statusCode, 204);
    const after = await get(key, '/v1/api-keys');
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().code, 'UNAUTHENTICATED');
    assert.deepEqual((await get(user.token, '/v1/api-keys')).json().items, []);
  });

  it('answers unknown email and wrong password alike, then rate limits the account with Retry-After', async () => {
    const user = await h.signup();
    const login = (email: string, password: string) =>
      inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
    const wrong = await login(user.email, 'wrong password');
    const unknown = await login(`nobody-${randomUUID()}@example.test`, 'wrong password');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    assert.deepEqual(strip(wrong.json()), strip(unknown.json()));

    await login(user.email, 'wrong password');
    await login(user.email, 'wrong password');
    const limited = await login(user.email, 'correct horse battery');
    assert.equal(limited.statusCode, 429, 'even the right password waits once the account is limited');
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(isProblem(limited));
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    // Another account from the same client is unaffected.
    const fresh = await h.signup();
    assert.equal((await login(fresh.email, 'correct horse battery')).statusCode, 200);
  });

  it('rate limits logins per client IP, whichever accounts are tried', async () => {
    const from = (remoteAddress: string) =>
      inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress,
        payload: { email: `guess-${randomUUID()}@example.test`, password: 'wrong password' },
      });
    for (let i = 0; i < 12; i++) assert.equal((await from('192.0.2.7')).statusCode, 401);
    const limited = await from('192.0.2.7');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await from('192.0.2.8')).statusCode, 401, 'another client is not limited');
  });

  it('stores passwords as Argon2id with at least 19 MiB and 2 iterations', async () => {
    const user = await h.signup();
    const [row] = await h.api.database.db.select().from(users).where(eq(users.id, user.userId));
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row?.passwordHash ?? '');
    assert.ok(match, row?.passwordHash);
    assert.ok(Number(match[1]) >= 19_456, `memory ${match[1]} KiB`);
    assert.ok(Number(match[2]) >= 2, `iterations ${match[2]}`);
  });

  it('limits link submissions per user with 429 RATE_LIMITED', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const submit = (token: string) =>
      inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(token),
        payload: { url: `http://8.8.8.8/${randomUUID()}` },
      });
    for (let i = 0; i < 3; i++) assert.equal((await submit(user.token)).statusCode, 202);
    const limited = await submit(user.token);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await submit(other.token)).statusCode, 202, 'the limit is per user');
    assert.equal((await get(user.token, '/v1/api-keys')).statusCode, 200, 'other routes are not limited');
  });

  it('refuses private targets at submit time, however they are spelled', async () => {
    // Refused submissions count against the per-user limit (3 here): one user per attempt.
    const submit = async (url: string) => {
      const user = await h.signup();
      return inject({ method: 'POST', url: '/v1/links', headers: bearer(user.token), payload: { url } });
    };
    const urls = [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::127.0.0.1]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
      'http://[fd00::1]/',
      'HTTP://LOCALHOST./',
    ];
    for (const url of urls) {
      const res = await submit(url);
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 'SSRF_BLOCKED', url);
    }
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1/', 'http://user:pw@8.8.8.8/']) {
      const res = await submit(url);
      assert.equal(res.json().code, 'INVALID_URL', url);
    }
  });

  it('answers an oversized JSON body with 413 PAYLOAD_TOO_LARGE', async () => {
    const user = await h.signup();
    const res = await inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: { ...bearer(user.token), 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
    assert.ok(isProblem(res));
  });

  /** A succeeded snapshot whose html artifact is a hostile page. */
  async function hostileSnapshot(token: string, html: string): Promise<string> {
    const created = await inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(token),
      payload: { url: `http://8.8.8.8/${randomUUID()}` },
    });
    const { link, snapshot } = created.json();
    const put = async (kind: ArtifactKind, body: string): Promise<Artifact> => ({
      kind,
      ...(await h.api.storage.put(artifactKey(snapshot.id, kind), Buffer.from(body), ARTIFACT_KINDS[kind].contentType)),
    });
    const artifacts = [await put('html', html), await put('mhtml', 'MIME-Version: 1.0\r\n\r\n')];
    await h.deliverResult(succeededResult(snapshot.id, link.id, { title: 'Hostile', text: 'Hostile', artifacts }));
    return snapshot.id;
  }

  const HOSTILE = `<!doctype html><html><head><title>hostile</title></head><body><p id="out">SCRIPT-DID-NOT-RUN</p>
<script>
  document.getElementById('out').textContent = 'SCRIPT' + '_EXECUTED ' + document.cookie;
  fetch('/v1/api-keys', { credentials: 'include' }).catch(() => {});
  fetch('/v1/links', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: 'http://8.8.8.8/stolen' }) }).catch(() => {});
</script></body></html>`;

  it('serves archived pages sandboxed through short-lived signed URLs that need no token', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const id = await hostileSnapshot(user.token, HOSTILE);

    const direct = await get(user.token, `/v1/snapshots/${id}/artifacts/html`);
    assert.equal(direct.headers['content-security-policy'], ARCHIVED_PAGE_CSP);
    assert.equal(direct.headers['x-content-type-options'], 'nosniff');
    assert.equal(direct.headers['cross-origin-resource-policy'], 'same-origin');

    const signed = await get(user.token, `/v1/snapshots/${id}/artifacts/html/url`);
    assert.equal(signed.statusCode, 200);
    const { url, expiresAt } = signed.json();
    assert.match(url, new RegExp(`^/archive/${id}/html\\?exp=\\d+&sig=[A-Za-z0-9_-]+$`));
    const ttl = Date.parse(expiresAt) - Date.now();
    assert.ok(ttl > 0 && ttl <= h.config.ARCHIVE_URL_TTL_SECONDS * 1000 + 1000);
    assert.equal((await get(other.token, `/v1/snapshots/${id}/artifacts/html/url`)).statusCode, 404);
    assert.equal((await get(user.token, `/v1/snapshots/${id}/artifacts/pdf/url`)).statusCode, 404);

    const page = await inject({ method: 'GET', url, headers: { cookie: 'session=secret' } });
    assert.equal(page.statusCode, 200);
    assert.equal(page.body, HOSTILE);
    assert.equal(page.headers['content-security-policy'], ARCHIVED_PAGE_CSP);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['set-cookie'], undefined);

    const mhtmlUrl = (await get(user.token, `/v1/snapshots/${id}/artifacts/mhtml/url`)).json().url;
    const mhtml = await inject({ method: 'GET', url: mhtmlUrl });
    assert.equal(mhtml.headers['content-security-policy'], ARCHIVED_PAGE_CSP);
    assert.match(String(mhtml.headers['content-disposition']), /^attachment/);

    // Tampering with any part of the link, or letting it expire, makes it not exist.
    const parsed = new URL(url, 'http://x');
    const exp = Number(parsed.searchParams.get('exp'));
    const sig = parsed.searchParams.get('sig') as string;
    const tampered = [
      `/archive/${id}/mhtml?exp=${exp}&sig=${sig}`,
      `/archive/${id}/html?exp=${exp + 3600}&sig=${sig}`,
      `/archive/${id}/html?exp=${exp}&sig=${sig.slice(0, -2)}AA`,
      `/archive/${id}/html?exp=${exp}`,
      `/archive/${randomUUID()}/html?exp=${exp}&sig=${sig}`,
    ];
    for (const bad of tampered) {
      const res = await inject({ method: 'GET', url: bad });
      assert.equal(res.statusCode, 404, bad);
      assert.ok(isProblem(res));
    }
  });

  it('an archived page opened in Chromium runs no script and never calls the API', async () => {
    const user = await h.signup();
    const id = await hostileSnapshot(user.token, HOSTILE);
    const { url } = (await get(user.token, `/v1/snapshots/${id}/artifacts/html/url`)).json();
    const dumpDom = async (target: string) =>
      (
        await run(
          '/usr/bin/chromium',
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--no-first-run',
            '--disable-background-networking',
            `--user-data-dir=${tempDir('linksnap-chromium-')}`,
            '--virtual-time-budget=3000',
            '--dump-dom',
            target,
          ],
          { timeout: 30_000 },
        )
      ).stdout;
    // Control: unsandboxed (data: URLs have no cookies, so that part is dropped) the script runs.
    const control = await dumpDom(
      `data:text/html,${encodeURIComponent(HOSTILE.replace(/fetch\([\s\S]*?\);/g, '').replace(' + document.cookie', ''))}`,
    );
    assert.match(control, /SCRIPT_EXECUTED/);

    v1Requests.length = 0;
    const stdout = await dumpDom(`${baseUrl}${url}`);
    assert.match(stdout, /<p id="out">SCRIPT-DID-NOT-RUN<\/p>/);
    assert.doesNotMatch(stdout, /SCRIPT_EXECUTED/);
    await sleep(300);
    assert.deepEqual(v1Requests, [], 'the archived page made no API calls');
  });
});
