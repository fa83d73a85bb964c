/**
 * Accounts on a public instance (issue 15, point 4): DISABLE_SIGNUPS closes sign-up with 403
 * SIGNUPS_DISABLED except for the instance's first account, an admin creates accounts, and
 * sign-up is rate limited per client IP. "First account" needs an empty users table: each
 * harness gets a database of its own, created here and dropped afterwards.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import postgres from 'postgres';
import { TEST_DATABASE_URL } from '../../../test/support/services.js';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

/** A harness on a new, empty database (same server as TEST_DATABASE_URL). */
async function emptyInstance(extra: Record<string, string>): Promise<Harness> {
  const base = new URL(TEST_DATABASE_URL);
  const name = `${base.pathname.slice(1)}_signups_${randomUUID().slice(0, 8)}`;
  const admin = postgres(base.href, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(base.href);
  url.pathname = `/${name}`;
  const h = await startHarness({ databaseUrl: url.href, extra });
  cleanups.push(async () => {
    await h.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });
  return h;
}

const password = 'correct horse battery';
const email = () => `user-${randomUUID()}@example.test`;

describe('DISABLE_SIGNUPS=true', () => {
  it('lets the first account in, then refuses sign-up with 403 SIGNUPS_DISABLED', async () => {
    const h = await emptyInstance({ DISABLE_SIGNUPS: 'true' });
    const inject = h.api.app.inject.bind(h.api.app);
    assert.deepEqual((await inject({ method: 'GET', url: '/v1/auth/signup' })).json(), { open: true });
    const first = await inject({ method: 'POST', url: '/v1/auth/signup', payload: { email: email(), password } });
    assert.equal(first.statusCode, 201, first.body);

    assert.deepEqual((await inject({ method: 'GET', url: '/v1/auth/signup' })).json(), { open: false });
    const second = await inject({ method: 'POST', url: '/v1/auth/signup', payload: { email: email(), password } });
    assert.equal(second.statusCode, 403);
    assert.ok(isProblem(second));
    assert.equal(second.json().code, 'SIGNUPS_DISABLED');
    assert.equal(second.json().type, '/problems/signups-disabled');

    // The first account is the admin: it creates an account, which can then sign in.
    const invited = email();
    const created = await inject({
      method: 'POST',
      url: '/v1/admin/users',
      headers: bearer(first.json().token),
      payload: { email: invited, password },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().user.email, invited);
    const login = await inject({ method: 'POST', url: '/v1/auth/login', payload: { email: invited, password } });
    assert.equal(login.statusCode, 200);

    // That account is no admin: it cannot create accounts in turn.
    const refused = await inject({
      method: 'POST',
      url: '/v1/admin/users',
      headers: bearer(login.json().token),
      payload: { email: email(), password },
    });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'FORBIDDEN');
    const taken = await inject({
      method: 'POST',
      url: '/v1/admin/users',
      headers: bearer(first.json().token),
      payload: { email: invited.toUpperCase(), password },
    });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'EMAIL_ALREADY_EXISTS');
  });
});

describe('open sign-up', () => {
  it('is rate limited per client IP with 429 RATE_LIMITED and Retry-After', async () => {
    const h = await emptyInstance({ SIGNUP_RATE_LIMIT_PER_IP: '3' });
    const from = (remoteAddress: string) =>
      h.api.app.inject({
        method: 'POST',
        url: '/v1/auth/signup',
        remoteAddress,
        payload: { email: email(), password },
      });
    for (let i = 0; i < 3; i++) assert.equal((await from('192.0.2.9')).statusCode, 201);
    const limited = await from('192.0.2.9');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((await from('192.0.2.10')).statusCode, 201, 'another client is not limited');
    assert.deepEqual((await h.api.app.inject({ method: 'GET', url: '/v1/auth/signup' })).json(), { open: true });
  });
});
