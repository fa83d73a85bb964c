import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { SignJWT } from 'jose';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

describe('auth and request errors', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    // A route that fails the way a bug would, to check nothing of it reaches the client.
    h.api.app.get('/test/boom', async () => {
      throw new Error('secret SQL: select * from users');
    });
  });
  after(async () => {
    await h.close();
  });

  const inject = (opts: InjectOptions) => h.api.app.inject(opts);

  it('signs up, logs in and refuses a duplicate email whatever its case', async () => {
    const email = `Someone-${randomUUID()}@Example.test`;
    const signup = await inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email, password: 'long enough pw' },
    });
    assert.equal(signup.statusCode, 201);
    const body = signup.json();
    assert.equal(body.user.email, email.toLowerCase());
    assert.ok(body.token);

    const login = await inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password: 'long enough pw' },
    });
    assert.equal(login.statusCode, 200);
    assert.equal(login.json().user.id, body.user.id);

    const me = await inject({ method: 'GET', url: `/v1/links/${randomUUID()}`, headers: bearer(login.json().token) });
    assert.equal(me.statusCode, 404, 'the token authenticates');

    const dup = await inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: email.toUpperCase(), password: 'another password' },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().code, 'EMAIL_ALREADY_EXISTS');
    assert.ok(isProblem(dup));
  });

  it('answers wrong password and unknown email identically', async () => {
    const user = await h.signup();
    const wrong = await inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: user.email, password: 'wrong password' },
    });
    const unknown = await inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: `nobody-${randomUUID()}@example.test`, password: 'wrong password' },
    });
    for (const res of [wrong, unknown]) {
      assert.equal(res.statusCode, 401);
      assert.ok(isProblem(res));
      assert.equal(res.json().code, 'INVALID_CREDENTIALS');
    }
    assert.equal(wrong.json().detail, unknown.json().detail);
  });

  it('rejects missing, malformed, badly signed and expired tokens with 401 and WWW-Authenticate', async () => {
    const user = await h.signup();
    const secret = new TextEncoder().encode(h.config.JWT_SECRET);
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.userId)
      .setIssuer('linksnap')
      .setAudience('linksnap-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret);
    const otherKey = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.userId)
      .setIssuer('linksnap')
      .setAudience('linksnap-api')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      'not bearer': `Basic ${Buffer.from('a:b').toString('base64')}`,
      garbage: 'Bearer not-a-jwt',
      empty: 'Bearer ',
      expired: `Bearer ${expired}`,
      'bad signature': `Bearer ${otherKey}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const res = await inject({
        method: 'GET',
        url: '/v1/links/00000000-0000-4000-8000-000000000000',
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(res.statusCode, 401, name);
      assert.ok(isProblem(res), name);
      assert.equal(res.json().code, 'UNAUTHENTICATED', name);
      assert.equal(res.headers['www-authenticate'], 'Bearer', name);
      assert.equal(res.json().requestId, res.headers['x-request-id'], name);
    }
  });

  it('answers malformed bodies with problem documents', async () => {
    const user = await h.signup();
    const badJson = await inject({
      method: 'POST',
      url: '/v1/links',
      headers: { ...bearer(user.token), 'content-type': 'application/json' },
      payload: '{"url": ',
    });
    assert.equal(badJson.statusCode, 400);
    assert.equal(badJson.json().code, 'VALIDATION_FAILED');
    assert.ok(isProblem(badJson));

    const text = await inject({
      method: 'POST',
      url: '/v1/links',
      headers: { ...bearer(user.token), 'content-type': 'text/plain' },
      payload: 'https://example.com/',
    });
    assert.equal(text.statusCode, 415);
    assert.equal(text.json().code, 'UNSUPPORTED_MEDIA_TYPE');

    const schema = await inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: 42 },
    });
    assert.equal(schema.statusCode, 400);
    const problem = schema.json();
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.equal(problem.instance, '/v1/links');
    assert.ok(problem.errors.some((e: { pointer: string }) => e.pointer === '/url'));

    const short = await inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: 'a@b.test', password: 'short' },
    });
    assert.equal(short.statusCode, 400);
    assert.ok(short.json().errors.some((e: { pointer: string }) => e.pointer === '/password'));

    const big = await inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: `https://example.com/${'a'.repeat(2 * 1024 * 1024)}` },
    });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'PAYLOAD_TOO_LARGE');
  });

  it('turns unexpected errors into a generic INTERNAL problem', async () => {
    const res = await inject({ method: 'GET', url: '/test/boom' });
    assert.equal(res.statusCode, 500);
    assert.ok(isProblem(res));
    assert.equal(res.json().code, 'INTERNAL');
    assert.doesNotMatch(res.body, /secret|select|stack|at /);
    assert.equal(res.json().requestId, res.headers['x-request-id']);
  });

  it('answers unknown routes with a NOT_FOUND problem', async () => {
    const res = await inject({ method: 'GET', url: '/nope?x=1' });
    assert.equal(res.statusCode, 404);
    assert.ok(isProblem(res));
    assert.equal(res.json().code, 'NOT_FOUND');
    assert.equal(res.json().instance, '/nope');
    assert.ok(res.json().requestId);
  });

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const res = await inject({ method: 'GET', url: '/docs/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/v1/links'].post.requestBody, 'POST /v1/links documents its body');
    assert.ok(doc.paths['/v1/auth/signup']);
  });

  it('reports readiness and liveness', async () => {
    const live = await inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual(live.json(), { status: 'ok' });
    const ready = await inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().checks, { postgres: 'ok', redis: 'ok', s3: 'ok' });
  });
});
