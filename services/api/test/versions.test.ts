import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { bearer, type Harness, isProblem, startHarness, succeededResult } from './helpers.js';

describe('link edits, deletion and snapshot versions', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.api.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const save = async (token: string, tags?: string[]) =>
    (await call(token, 'POST', '/v1/links', { url: `http://8.8.8.8/${randomUUID()}`, tags })).json();

  async function succeed(snapshotId: string, linkId: string, title: string): Promise<void> {
    const artifact = await h.api.storage.put(`snapshots/${snapshotId}/screenshot.png`, Buffer.from(title), 'image/png');
    await h.deliverResult(
      succeededResult(snapshotId, linkId, { title, text: title, artifacts: [{ kind: 'screenshot', ...artifact }] }),
    );
  }

  it('edits title, description and tags (replace, add, remove)', async () => {
    const user = await h.signup();
    const { link } = await save(user.token, ['A', 'B']);
    const patched = await call(user.token, 'PATCH', `/v1/links/${link.id}`, {
      title: 'New title',
      description: '说明',
      tags: ['C', 'b'],
      addTags: ['D'],
      removeTags: ['C'],
    });
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json().title, 'New title');
    assert.equal(patched.json().description, '说明');
    assert.deepEqual(
      patched.json().tags.map((t: { name: string }) => t.name),
      ['B', 'D'],
    );
    const again = await call(user.token, 'PATCH', `/v1/links/${link.id}`, { title: null, addTags: ['E'] });
    assert.equal(again.json().title, null);
    assert.equal(again.json().tags.length, 3);
  });

  it('rejects invalid edits and unknown links', async () => {
    const user = await h.signup();
    const { link } = await save(user.token);
    const bad = await call(user.token, 'PATCH', `/v1/links/${link.id}`, { tags: ['x'.repeat(65)] });
    assert.equal(bad.statusCode, 400);
    assert.ok(isProblem(bad));
    assert.equal(bad.json().errors[0].pointer, '/tags/0');
    assert.equal((await call(user.token, 'PATCH', `/v1/links/${link.id}`, { colour: 'red' })).statusCode, 400);
    const stranger = await h.signup();
    for (const [method, url] of [
      ['PATCH', `/v1/links/${link.id}`],
      ['DELETE', `/v1/links/${link.id}`],
      ['POST', `/v1/links/${link.id}/snapshots`],
      ['GET', `/v1/links/${link.id}/snapshots`],
      ['DELETE', '/v1/snapshots/not-a-uuid'],
      ['DELETE', `/v1/links/${randomUUID()}`],
    ] as const) {
      const res = await call(stranger.token, method, url, method === 'PATCH' ? { title: 'x' } : undefined);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().code, 'NOT_FOUND');
    }
  });

  it('keeps every version after a re-capture and lists them newest first', async () => {
    const user = await h.signup();
    const { link, snapshot } = await save(user.token);
    await succeed(snapshot.id, link.id, 'Version one');
    const res = await call(user.token, 'POST', `/v1/links/${link.id}/snapshots`);
    assert.equal(res.statusCode, 202);
    const second = res.json().snapshot;
    assert.equal(res.headers.location, `/v1/jobs/${second.id}`);
    assert.ok(await h.queue(SNAPSHOTS_QUEUE).getJob(second.id), 'a capture job is queued');
    await succeed(second.id, link.id, 'Version two');

    const versions = (await call(user.token, 'GET', `/v1/links/${link.id}/snapshots`)).json().items;
    assert.deepEqual(
      versions.map((v: { id: string; title: string }) => [v.id, v.title]),
      [
        [second.id, 'Version two'],
        [snapshot.id, 'Version one'],
      ],
    );
    assert.equal(versions[1].totalBytes, 'Version one'.length);
    assert.equal((await call(user.token, 'GET', `/v1/links/${link.id}`)).json().latestSnapshot.id, second.id);

    // Deleting the latest version points the link at the next newest one and removes its objects.
    assert.equal((await call(user.token, 'DELETE', `/v1/snapshots/${second.id}`)).statusCode, 204);
    assert.deepEqual(await h.api.storage.list(`snapshots/${second.id}/`), []);
    assert.equal((await call(user.token, 'GET', `/v1/links/${link.id}`)).json().latestSnapshot.id, snapshot.id);
    assert.equal((await call(user.token, 'DELETE', `/v1/snapshots/${second.id}`)).statusCode, 404);
    assert.equal((await call(user.token, 'GET', `/v1/snapshots/${snapshot.id}/artifacts/screenshot`)).statusCode, 200);
  });

  it('deletes a link with every stored object of its snapshots', async () => {
    const user = await h.signup();
    const { link, snapshot } = await save(user.token, ['Keep']);
    const second = (await call(user.token, 'POST', `/v1/links/${link.id}/snapshots`)).json().snapshot;
    for (const id of [snapshot.id, second.id]) {
      await h.api.storage.put(`snapshots/${id}/screenshot.png`, Buffer.from('png'), 'image/png');
      await h.api.storage.put(`snapshots/${id}/page.html`, Buffer.from('<p>'), 'text/html');
    }
    const other = `snapshots/${randomUUID()}/screenshot.png`;
    await h.api.storage.put(other, Buffer.from('other'), 'image/png');

    assert.equal((await call(user.token, 'DELETE', `/v1/links/${link.id}`)).statusCode, 204);
    assert.deepEqual(await h.api.storage.list(`snapshots/${snapshot.id}/`), []);
    assert.deepEqual(await h.api.storage.list(`snapshots/${second.id}/`), []);
    assert.ok(await h.api.storage.exists(other), 'objects of other snapshots stay');
    assert.equal((await call(user.token, 'GET', `/v1/links/${link.id}`)).statusCode, 404);
    assert.equal((await call(user.token, 'GET', `/v1/snapshots/${snapshot.id}`)).statusCode, 404);
    const second404 = await call(user.token, 'DELETE', `/v1/links/${link.id}`);
    assert.equal(second404.statusCode, 404);
    assert.ok(isProblem(second404));
    const tags = (await call(user.token, 'GET', '/v1/tags')).json().items;
    assert.deepEqual(
      tags.map((t: { name: string; linkCount: number }) => [t.name, t.linkCount]),
      [['Keep', 0]],
    );
  });
});
