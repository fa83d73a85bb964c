/**
 * Browser sessions and the served UI: the cookie session with double-submit CSRF, bearer
 * requests unaffected, and the built UI with its cache headers and SPA fallback.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WEB_DIST } from '../src/http/web.js';
import { type Harness, startHarness } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('cookie sessions and the web UI', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  async function signIn() {
    const user = await h.signup();
    const res = await h.api.app.inject({
      method: 'POST',
      url: '/v1/auth/session',
      payload: { email: user.email, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    const session = res.cookies.find((c) => c.name === 'linksnap_session');
    const csrf = res.cookies.find((c) => c.name === 'csrf');
    assert.ok(session && csrf);
    return { user, res, session, csrf, cookie: `linksnap_session=${session.value}; csrf=${csrf.value}` };
  }

  it('signs in with an httpOnly SameSite=Lax cookie and answers who am I', async () => {
    const { user, res, session, csrf, cookie } = await signIn();
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.notEqual(csrf.httpOnly, true, 'the CSRF cookie is readable by the page');
    assert.equal(res.json().token, undefined, 'the token never reaches page script');

    const me = await h.api.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.email, user.email);

    const anonymous = await h.api.app.inject({ method: 'GET', url: '/v1/auth/me' });
    assert.equal(anonymous.statusCode, 401);
    assert.match(String(anonymous.headers['content-type']), /^application\/problem\+json/);
    assert.equal(anonymous.json().code, 'UNAUTHENTICATED');
  });

  it('refuses unsafe cookie requests without the matching CSRF header', async () => {
    const { csrf, cookie } = await signIn();
    const post = (headers: Record<string, string>) =>
      h.api.app.inject({
        method: 'POST',
        url: '/v1/tags',
        headers: { cookie, ...headers },
        payload: { name: 'reading' },
      });

    const bad: Record<string, string>[] = [{}, { 'x-csrf-token': 'wrong' }, { 'x-csrf-token': '' }];
    for (const headers of bad) {
      const res = await post(headers);
      assert.equal(res.statusCode, 403, JSON.stringify(headers));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'FORBIDDEN');
    }
    const ok = await post({ 'x-csrf-token': csrf.value });
    assert.equal(ok.statusCode, 201, ok.body);

    // Safe methods need no header; a cookie without its csrf twin cannot change anything.
    const list = await h.api.app.inject({ method: 'GET', url: '/v1/tags', headers: { cookie } });
    assert.equal(list.statusCode, 200);
    const lonely = await h.api.app.inject({
      method: 'DELETE',
      url: `/v1/tags/${ok.json().id}`,
      headers: { cookie: cookie.split(';')[0] as string, 'x-csrf-token': csrf.value },
    });
    assert.equal(lonely.statusCode, 403);
  });

  it('keeps bearer requests free of CSRF and never mixes in the cookie', async () => {
    const { user, cookie } = await signIn();
    const bearer = await h.api.app.inject({
      method: 'POST',
      url: '/v1/tags',
      headers: { authorization: `Bearer ${user.token}` },
      payload: { name: 'bearer-made' },
    });
    assert.equal(bearer.statusCode, 201, bearer.body);
    // A malformed Authorization header is 401 even when a valid session cookie is present.
    const malformed = await h.api.app.inject({
      method: 'GET',
      url: '/v1/tags',
      headers: { authorization: 'Basic abc', cookie },
    });
    assert.equal(malformed.statusCode, 401);
  });

  it('signs out by expiring both cookies', async () => {
    const { csrf, cookie } = await signIn();
    const res = await h.api.app.inject({
      method: 'DELETE',
      url: '/v1/auth/session',
      headers: { cookie, 'x-csrf-token': csrf.value },
    });
    assert.equal(res.statusCode, 204);
    const cleared = new Map(res.cookies.map((c) => [c.name, c]));
    for (const name of ['linksnap_session', 'csrf']) {
      const c = cleared.get(name);
      assert.ok(c, name);
      assert.equal(c.value, '');
      assert.ok(c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()), name);
    }
  });

  const built = existsSync(path.join(WEB_DIST, 'index.html'));
  it('serves the built UI: hashed assets cached forever, index never, SPA fallback', { skip: !built }, async () => {
    const index = await h.api.app.inject({ method: 'GET', url: '/' });
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /^text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(index.body, /<div id="app">/);

    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const deep = await h.api.app.inject({ method: 'GET', url: '/links/some-id?tab=pdf', headers: html });
    assert.equal(deep.statusCode, 200);
    assert.equal(deep.body, index.body);
    // Not a page navigation: an API client asking for an unknown path still gets problem+json.
    const apiClient = await h.api.app.inject({ method: 'GET', url: '/links/some-id' });
    assert.equal(apiClient.statusCode, 404);

    const asset = readdirSync(path.join(WEB_DIST, 'assets')).find((f) => f.endsWith('.js')) as string;
    assert.match(asset, /-[A-Za-z0-9_-]{8}\.js$/, 'fingerprinted name');
    const js = await h.api.app.inject({ method: 'GET', url: `/assets/${asset}` });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');

    for (const url of [
      '/v1/nothing-here',
      '/docs/missing',
      '/archive/x',
      '/assets/missing-00000000.js',
      '/healthz/x',
    ]) {
      const res = await h.api.app.inject({ method: 'GET', url, headers: html });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, url);
    }
    const post = await h.api.app.inject({ method: 'POST', url: '/somewhere' });
    assert.equal(post.statusCode, 404, 'only GET falls back to the UI');
  });
});
