/**
 * The queue dashboard at /admin/queues is for admins only: the first account of a fresh
 * instance (PGlite here, so "first" is this test's) or an email in ADMIN_EMAILS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

describe('queue dashboard', () => {
  let h: Harness;
  const listed = `ops-${crypto.randomUUID()}@example.test`;

  before(async () => {
    h = await startHarness({
      databaseUrl: null,
      extra: { ADMIN_EMAILS: `someone@example.test, ${listed.toUpperCase()}` },
    });
  });
  after(() => h.close());

  const get = (url: string, token?: string) =>
    h.api.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });

  it('lets the first account and ADMIN_EMAILS in, answers 404 problem+json to others', async () => {
    const first = await h.signup();
    const second = await h.signup();
    const signup = await h.api.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: listed, password: 'correct horse battery' },
    });
    const ops = signup.json().token as string;

    for (const token of [first.token, ops]) {
      const page = await get('/admin/queues', token);
      assert.equal(page.statusCode, 200, page.body);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(String(page.headers['content-security-policy']), /style-src 'self' 'unsafe-inline'/);
      // Its assets are relative to <base href>; base-uri 'none' would break the page.
      assert.match(String(page.headers['content-security-policy']), /base-uri 'self'/);
      const api = await get('/admin/queues/api/queues', token);
      assert.equal(api.statusCode, 200, api.body);
      const names = (api.json().queues as { name: string }[]).map((q) => q.name);
      assert.ok(names.includes('snapshots') && names.includes('webhooks'), names.join(','));
    }

    for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
      const denied = await get(url, second.token);
      assert.equal(denied.statusCode, 404, url);
      assert.ok(isProblem(denied));
      assert.equal(denied.json().code, 'NOT_FOUND');
      const anonymous = await get(url);
      assert.equal(anonymous.statusCode, 401);
      assert.ok(isProblem(anonymous));
    }
  });
});
