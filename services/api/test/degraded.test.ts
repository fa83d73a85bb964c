import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '@linksnap/shared';
import { noDnsResolver, startTestS3, testEnv } from '../../../test/support/services.js';
import type { EmbeddedS3 } from '../src/embedded/s3-server.js';
import { type Api, createApi } from '../src/main.js';
import { bearer, type Harness, isProblem, startHarness, succeededResult } from './helpers.js';

describe('a dependency is down', () => {
  let h: Harness;
  let s3: EmbeddedS3;
  let broken: Api;
  before(async () => {
    h = await startHarness();
    s3 = await startTestS3();
    // Same database and secret, but Redis on a port where nothing listens.
    // No snapshotter: the public target below is checked at submit but never fetched.
    const config = parseConfig(
      testEnv({ s3, extra: { REDIS_URL: 'redis://127.0.0.1:1', EGRESS_ALLOW_ONLY: 'false' } }),
    );
    broken = await createApi(config, { consumeResults: false, resolver: noDnsResolver });
  });
  after(async () => {
    await broken.close();
    await s3.close();
    await h.close();
  });

  it('answers 503 with Retry-After when the job cannot be queued, and keeps no half-saved link', async () => {
    const user = await h.signup();
    const url = `http://8.8.8.8/${randomUUID()}`;
    const res = await broken.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url },
    });
    assert.equal(res.statusCode, 503);
    assert.ok(isProblem(res));
    assert.equal(res.json().code, 'SERVICE_UNAVAILABLE');
    assert.ok(Number(res.headers['retry-after']) > 0);

    const retry = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url },
    });
    assert.equal(retry.statusCode, 202, 'the failed attempt left no duplicate behind');
  });

  it('answers a batch 503 when its jobs cannot be queued, and keeps none of its links', async () => {
    const user = await h.signup();
    const urls = [`http://8.8.8.8/${randomUUID()}`, `http://8.8.8.8/${randomUUID()}`];
    const res = await broken.app.inject({
      method: 'POST',
      url: '/v1/links/batch',
      headers: bearer(user.token),
      payload: { urls, tags: ['kept?'] },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().code, 'SERVICE_UNAVAILABLE');
    const retry = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links/batch',
      headers: bearer(user.token),
      payload: { urls },
    });
    assert.deepEqual(
      retry.json().items.map((i: { status: number }) => i.status),
      [202, 202],
      'the failed batch left no link behind',
    );
  });

  it('reports not ready, naming the failed check', async () => {
    const res = await broken.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.ok(isProblem(res));
    assert.equal(res.json().checks.redis, 'unavailable');
    assert.equal(res.json().checks.postgres, 'ok');
    assert.ok(res.headers['retry-after']);
  });

  it('refuses to delete a link whose capture is unfinished, and deletes a finished one', async () => {
    const user = await h.signup();
    const save = async () =>
      (
        await h.api.app.inject({
          method: 'POST',
          url: '/v1/links',
          headers: bearer(user.token),
          payload: { url: `http://8.8.8.8/${randomUUID()}` },
        })
      ).json() as { link: { id: string }; snapshot: { id: string } };
    const remove = (id: string) =>
      broken.app.inject({ method: 'DELETE', url: `/v1/links/${id}`, headers: bearer(user.token) });
    // Its job answers polls from Redis until told otherwise: without Redis, nothing is deleted.
    const queued = await save();
    const refused = await remove(queued.link.id);
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.json().code, 'SERVICE_UNAVAILABLE');
    const still = await h.api.app.inject({
      method: 'GET',
      url: `/v1/links/${queued.link.id}`,
      headers: bearer(user.token),
    });
    assert.equal(still.statusCode, 200);

    const done = await save();
    await h.deliverResult(succeededResult(done.snapshot.id, done.link.id));
    assert.equal((await remove(done.link.id)).statusCode, 204);
  });
});
