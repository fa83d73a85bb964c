/**
 * Tag schedules against the real API process (PostgreSQL, Redis): precedence of a link's own
 * schedule, the link view's schedule and next capture, and a tag firing's fan-out to the links
 * that have no schedule of their own, run by the API's recapture worker as normal captures.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RECAPTURE_QUEUE } from '../src/queue/recapture-scheduler.js';
import { bearer, type Harness, startHarness } from './helpers.js';

describe('tag schedules', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ extra: { SCHEDULE_SPREAD: '0' } });
  });
  after(async () => {
    await h.queue(RECAPTURE_QUEUE).obliterate({ force: true });
    await h.close();
  });

  const call = (token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.api.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const versions = async (token: string, linkId: string) =>
    (await call(token, 'GET', `/v1/links/${linkId}/snapshots`)).json().items.length as number;

  it("captures a tag's links without a schedule of their own when the tag's schedule fires", async () => {
    const user = await h.signup();
    const save = async () =>
      (await call(user.token, 'POST', '/v1/links', { url: `http://8.8.8.8/${randomUUID()}`, tags: ['watch'] })).json()
        .link;
    const [covered, own] = [await save(), await save()];
    const tagId = covered.tags[0].id as string;
    const tagged = await call(user.token, 'PUT', `/v1/tags/${tagId}/schedule`, { every: 'weekly' });
    assert.equal(tagged.statusCode, 200, tagged.body);
    assert.equal(tagged.json().source, 'tag');
    assert.equal((await call(user.token, 'PUT', `/v1/links/${own.id}/schedule`, { every: 'daily' })).statusCode, 200);

    const coveredView = (await call(user.token, 'GET', `/v1/links/${covered.id}`)).json();
    assert.deepEqual(coveredView.schedule, { every: 'weekly', source: 'tag', tagId });
    assert.ok(Date.parse(coveredView.nextCaptureAt) > Date.now());
    const ownView = (await call(user.token, 'GET', `/v1/links/${own.id}`)).json();
    assert.deepEqual(ownView.schedule, { every: 'daily', source: 'link', tagId: null }, 'its own schedule wins');
    const tags = (await call(user.token, 'GET', '/v1/tags')).json().items;
    assert.equal(tags.find((t: { id: string }) => t.id === tagId).schedule, 'weekly');

    // The firing the tag's job scheduler would add, run by this API's recapture worker.
    await h.queue(RECAPTURE_QUEUE).add('tag', { kind: 'tag', tagId }, { jobId: `firing-${randomUUID()}` });
    for (let i = 0; i < 100 && (await versions(user.token, covered.id)) < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(await versions(user.token, covered.id), 2, 'the covered link got a new version');
    assert.equal(await versions(user.token, own.id), 1, 'the link with its own schedule is left to it');

    // Without its schedule the tag's firing captures nothing and removes the scheduler.
    assert.equal((await call(user.token, 'DELETE', `/v1/tags/${tagId}/schedule`)).statusCode, 204);
    assert.equal(await h.queue(RECAPTURE_QUEUE).getJobScheduler(`tag-${tagId}`), undefined);
    const removed = (await call(user.token, 'GET', `/v1/links/${covered.id}`)).json();
    assert.equal(removed.schedule, null);
  });

  it("answers 404 for another user's tag or link, and 400 for a schedule that never fires", async () => {
    const owner = await h.signup();
    const stranger = await h.signup();
    const link = (
      await call(owner.token, 'POST', '/v1/links', { url: `http://8.8.8.8/${randomUUID()}`, tags: ['x'] })
    ).json().link;
    assert.equal(
      (await call(stranger.token, 'PUT', `/v1/links/${link.id}/schedule`, { every: 'daily' })).statusCode,
      404,
    );
    assert.equal(
      (await call(stranger.token, 'PUT', `/v1/tags/${link.tags[0].id}/schedule`, { every: 'daily' })).statusCode,
      404,
    );
    assert.equal((await call(stranger.token, 'DELETE', `/v1/links/${link.id}/schedule`)).statusCode, 404);
    const never = await call(owner.token, 'PUT', `/v1/links/${link.id}/schedule`, { every: '0 0 30 2 *' });
    assert.equal(never.statusCode, 400, never.body);
    assert.equal(never.json().errors[0].pointer, '/every');
  });

  it("removes a deleted link's scheduler with it", async () => {
    const user = await h.signup();
    const link = (await call(user.token, 'POST', '/v1/links', { url: `http://8.8.8.8/${randomUUID()}` })).json().link;
    assert.equal((await call(user.token, 'PUT', `/v1/links/${link.id}/schedule`, { every: 'daily' })).statusCode, 200);
    assert.ok(await h.queue(RECAPTURE_QUEUE).getJobScheduler(`link-${link.id}`));
    assert.equal((await call(user.token, 'DELETE', `/v1/links/${link.id}`)).statusCode, 204);
    assert.equal(await h.queue(RECAPTURE_QUEUE).getJobScheduler(`link-${link.id}`), undefined);
  });
});
