import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

describe('Idempotency-Key', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const post = (token: string, url: string, key: string | undefined, payload?: object) =>
    h.api.app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(token), ...(key === undefined ? {} : { 'idempotency-key': key }) },
      ...(payload ? { payload } : {}),
    });

  it('replays the first response of POST /v1/links without a new job, key order notwithstanding', async () => {
    const user = await h.signup();
    const key = randomUUID();
    const url = `http://8.8.8.8/${randomUUID()}`;
    const first = await post(user.token, '/v1/links', key, { url, tags: ['a'] });
    assert.equal(first.statusCode, 202);
    const jobs = await h.queue(SNAPSHOTS_QUEUE).getJobCounts('wait', 'prioritized');
    const replay = await post(user.token, '/v1/links', key, { tags: ['a'], url });
    assert.equal(replay.statusCode, 202);
    assert.deepEqual(replay.json(), first.json());
    assert.equal(replay.headers.location, first.headers.location);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(await h.queue(SNAPSHOTS_QUEUE).getJobCounts('wait', 'prioritized'), jobs);

    const reused = await post(user.token, '/v1/links', key, { url: `${url}/other` });
    assert.equal(reused.statusCode, 422);
    assert.ok(isProblem(reused));
    assert.equal(reused.json().code, 'IDEMPOTENCY_KEY_REUSED');

    // Keys belong to one user: another user's request with the same key runs normally.
    const other = await h.signup();
    assert.equal((await post(other.token, '/v1/links', key, { url, tags: ['a'] })).statusCode, 202);
    // Without a key the duplicate URL is a 409 as usual.
    const dup = await post(user.token, '/v1/links', undefined, { url });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().linkId, first.json().link.id);
    assert.equal(dup.headers.location, `/v1/links/${first.json().link.id}`);
  });

  it('replays POST /v1/links/{id}/snapshots and refuses the key on another link', async () => {
    const user = await h.signup();
    const a = (await post(user.token, '/v1/links', undefined, { url: `http://8.8.8.8/${randomUUID()}` })).json();
    const b = (await post(user.token, '/v1/links', undefined, { url: `http://8.8.8.8/${randomUUID()}` })).json();
    const key = randomUUID();
    const first = await post(user.token, `/v1/links/${a.link.id}/snapshots`, key);
    assert.equal(first.statusCode, 202);
    const replay = await post(user.token, `/v1/links/${a.link.id}/snapshots`, key);
    assert.equal(replay.statusCode, 202);
    assert.equal(replay.json().snapshot.id, first.json().snapshot.id);
    assert.equal(replay.headers.location, `/v1/jobs/${first.json().snapshot.id}`);
    const versions = await h.api.app.inject({
      method: 'GET',
      url: `/v1/links/${a.link.id}/snapshots`,
      headers: bearer(user.token),
    });
    assert.equal(versions.json().items.length, 2, 'one re-capture, not two');
    assert.equal((await post(user.token, `/v1/links/${b.link.id}/snapshots`, key)).statusCode, 422);
    const tooLong = await post(user.token, `/v1/links/${b.link.id}/snapshots`, 'k'.repeat(256));
    assert.equal(tooLong.statusCode, 400);
  });

  it('leaves routes that start no capture alone: the same key on POST /v1/tags is not replayed', async () => {
    const user = await h.signup();
    const key = randomUUID();
    const first = await post(user.token, '/v1/tags', key, { name: `t-${key}` });
    assert.equal(first.statusCode, 201);
    const again = await post(user.token, '/v1/tags', key, { name: `t-${key}` });
    assert.equal(again.statusCode, 409);
    assert.equal(again.headers['idempotent-replayed'], undefined);
  });

  it('replays an error response too', async () => {
    const user = await h.signup();
    const key = randomUUID();
    const first = await post(user.token, '/v1/links', key, { url: 'ftp://8.8.8.8/x' });
    assert.equal(first.statusCode, 400);
    const replay = await post(user.token, '/v1/links', key, { url: 'ftp://8.8.8.8/x' });
    assert.equal(replay.statusCode, 400);
    assert.ok(isProblem(replay));
    assert.equal(replay.json().code, 'INVALID_URL');
  });
});
