/**
 * Content-addressed artifacts (ADR 0017) on the harness (real PostgreSQL, Redis, S3 server):
 * references written with the result, `GET /v1/usage` counting shared bodies once, deletion that
 * frees only the bodies no remaining version holds, and the sweeper's grace period.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Artifact } from '@linksnap/shared';
import { bearer, type Harness, startHarness, succeededResult } from './helpers.js';

const ADMIN = `admin-${randomUUID()}@example.test`;

describe('content-addressed artifacts', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ extra: { ADMIN_EMAILS: ADMIN } });
  });
  after(async () => {
    await h.close();
  });

  const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string) =>
    h.api.app.inject({ method, url, headers: bearer(token) });
  const blob = async (kind: Artifact['kind'], body: string): Promise<Artifact> => {
    const stored = await h.api.storage.putBlob(Buffer.from(body), 'application/octet-stream');
    return { kind, ...stored };
  };
  /** A new version of the link holding these bodies. */
  const capture = async (token: string, linkId: string, artifacts: Artifact[]) => {
    const { snapshot } = (await call(token, 'POST', `/v1/links/${linkId}/snapshots`)).json();
    await h.deliverResult(succeededResult(snapshot.id, linkId, { artifacts }));
    return snapshot.id as string;
  };
  const usage = async (token: string, scope = 'user') => (await call(token, 'GET', `/v1/usage?scope=${scope}`)).json();

  it('stores a body shared by versions once, and frees it only when no version holds it', async () => {
    const user = await h.signup();
    const tag = randomUUID();
    const shared = await blob('screenshot', `shared ${tag} ${'x'.repeat(1000)}`);
    const own = [await blob('pdf', `one ${tag}`), await blob('pdf', `two ${tag}`), await blob('pdf', `three ${tag}`)];
    const { link, snapshot } = (
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(user.token),
        payload: { url: `http://8.8.8.8/${tag}` },
      })
    ).json();
    await h.deliverResult(succeededResult(snapshot.id, link.id, { artifacts: [shared, own[0] as Artifact] }));
    const second = await capture(user.token, link.id, [shared, own[1] as Artifact]);
    const third = await capture(user.token, link.id, [shared, own[2] as Artifact]);

    const before = await usage(user.token);
    const ownBytes = own.reduce((n, a) => n + a.bytes, 0);
    assert.deepEqual(before, {
      scope: 'user',
      links: 1,
      snapshots: 3,
      bytesStored: shared.bytes + ownBytes,
      bytesLogical: 3 * shared.bytes + ownBytes,
    });

    // Deleting two versions: their own bodies go (after the sweep), the shared one stays.
    assert.equal((await call(user.token, 'DELETE', `/v1/snapshots/${snapshot.id}`)).statusCode, 204);
    assert.equal((await call(user.token, 'DELETE', `/v1/snapshots/${second}`)).statusCode, 204);
    const sweep = await h.api.blobSweeper?.runOnce(0);
    assert.ok(sweep?.ran);
    assert.equal(await h.api.storage.exists(own[0]?.key as string), false);
    assert.equal(await h.api.storage.exists(own[1]?.key as string), false);
    assert.equal(await h.api.storage.exists(shared.key), true);
    assert.equal(await h.api.storage.exists(own[2]?.key as string), true);
    for (const kind of ['screenshot', 'pdf']) {
      const res = await call(user.token, 'GET', `/v1/snapshots/${third}/artifacts/${kind}`);
      assert.equal(res.statusCode, 200, kind);
    }
    const after = await usage(user.token);
    assert.equal(after.snapshots, 1);
    assert.equal(after.bytesStored, shared.bytes + (own[2]?.bytes ?? 0));
    assert.equal(after.bytesLogical, after.bytesStored);

    // Deleting the link leaves nothing of it once swept.
    assert.equal((await call(user.token, 'DELETE', `/v1/links/${link.id}`)).statusCode, 204);
    await h.api.blobSweeper?.runOnce(0);
    assert.equal(await h.api.storage.exists(shared.key), false);
    assert.equal(await h.api.storage.exists(own[2]?.key as string), false);
    assert.deepEqual(await usage(user.token), {
      scope: 'user',
      links: 0,
      snapshots: 0,
      bytesStored: 0,
      bytesLogical: 0,
    });
  });

  it('never sweeps a body written within the grace period (a capture still in flight)', async () => {
    const fresh = await blob('pdf', `in flight ${randomUUID()}`);
    const report = await h.api.blobSweeper?.runOnce(60_000);
    assert.ok(report?.ran);
    assert.equal(await h.api.storage.exists(fresh.key), true, 'unreferenced but within the grace period');
    await h.api.blobSweeper?.runOnce(0);
    assert.equal(await h.api.storage.exists(fresh.key), false, 'past the grace period, unreferenced: swept');
  });

  it('answers the instance usage to administrators only', async () => {
    const user = await h.signup();
    const denied = await call(user.token, 'GET', '/v1/usage?scope=instance');
    assert.equal(denied.statusCode, 403);
    assert.equal(denied.json().code, 'FORBIDDEN');
    const signup = await h.api.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: { email: ADMIN, password: 'correct horse battery' },
    });
    const instance = await usage(signup.json().token, 'instance');
    assert.equal(instance.scope, 'instance');
    assert.ok(instance.bytesLogical >= instance.bytesStored && instance.bytesStored >= 0);
    assert.ok(instance.links >= 0 && Number.isInteger(instance.snapshots));
    assert.equal((await h.api.app.inject({ method: 'GET', url: '/v1/usage' })).statusCode, 401);
  });
});
