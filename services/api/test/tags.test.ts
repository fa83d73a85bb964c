import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

describe('tags', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.api.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
  const save = async (token: string, tags: string[]) =>
    (await call(token, 'POST', '/v1/links', { url: `http://8.8.8.8/${randomUUID()}`, tags })).json().link;
  const list = async (token: string, sort = 'name') =>
    (await call(token, 'GET', `/v1/tags?sort=${sort}`))
      .json()
      .items.map((t: { name: string; linkCount: number }) => [t.name, t.linkCount]);
  const linkTags = async (token: string, id: string) =>
    (await call(token, 'GET', `/v1/links/${id}`)).json().tags.map((t: { name: string }) => t.name);

  it('creates tags in any script and refuses a case-insensitive duplicate', async () => {
    const user = await h.signup();
    const created = await call(user.token, 'POST', '/v1/tags', { name: '  阅读 ' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().name, '阅读');
    assert.equal((await call(user.token, 'POST', '/v1/tags', { name: 'News' })).statusCode, 201);
    const dup = await call(user.token, 'POST', '/v1/tags', { name: 'NEWS' });
    assert.equal(dup.statusCode, 409);
    assert.ok(isProblem(dup));
    assert.equal(dup.json().code, 'TAG_ALREADY_EXISTS');
    for (const name of ['', '   ', 'x'.repeat(65)]) {
      const bad = await call(user.token, 'POST', '/v1/tags', { name });
      assert.equal(bad.statusCode, 400, JSON.stringify(name));
      assert.equal(bad.json().errors[0].pointer, '/name');
    }
    assert.equal((await call(user.token, 'POST', '/v1/tags', { name: 'é'.repeat(64) })).statusCode, 201);
  });

  it('lists tags with link counts sorted by name or count', async () => {
    const user = await h.signup();
    await save(user.token, ['beta', 'Alpha']);
    await save(user.token, ['beta']);
    await call(user.token, 'POST', '/v1/tags', { name: 'gamma' });
    assert.deepEqual(await list(user.token), [
      ['Alpha', 1],
      ['beta', 2],
      ['gamma', 0],
    ]);
    assert.deepEqual(await list(user.token, 'count'), [
      ['beta', 2],
      ['Alpha', 1],
      ['gamma', 0],
    ]);
    assert.equal((await call(user.token, 'GET', '/v1/tags?sort=size')).statusCode, 400);
    assert.deepEqual(await list((await h.signup()).token), []);
  });

  it('renames, refuses renaming onto a taken name unless merging', async () => {
    const user = await h.signup();
    const link = await save(user.token, ['Tech', 'Programming']);
    const only = await save(user.token, ['Tech']);
    const tags = (await call(user.token, 'GET', '/v1/tags')).json().items as { id: string; name: string }[];
    const tech = tags.find((t) => t.name === 'Tech')!;
    const prog = tags.find((t) => t.name === 'Programming')!;
    const renamed = await call(user.token, 'PATCH', `/v1/tags/${tech.id}`, { name: 'tech' });
    assert.equal(renamed.statusCode, 200, 'a change of case is a rename');
    const taken = await call(user.token, 'PATCH', `/v1/tags/${tech.id}`, { name: 'programming' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'TAG_ALREADY_EXISTS');
    const merged = await call(user.token, 'PATCH', `/v1/tags/${tech.id}`, { name: 'PROGRAMMING', merge: true });
    assert.equal(merged.statusCode, 200);
    assert.deepEqual([merged.json().id, merged.json().linkCount], [prog.id, 2]);
    assert.deepEqual(await linkTags(user.token, link.id), ['Programming']);
    assert.deepEqual(await linkTags(user.token, only.id), ['Programming']);
  });

  it('merges one tag into another keeping one copy per link, and deletes tags but not links', async () => {
    const user = await h.signup();
    const both = await save(user.token, ['js', 'JavaScript']);
    const one = await save(user.token, ['js']);
    const tags = (await call(user.token, 'GET', '/v1/tags')).json().items as { id: string; name: string }[];
    const js = tags.find((t) => t.name === 'js')!;
    const full = tags.find((t) => t.name === 'JavaScript')!;
    const res = await call(user.token, 'POST', `/v1/tags/${js.id}/merge`, { into: full.id });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().linkCount, 2);
    assert.deepEqual(await linkTags(user.token, both.id), ['JavaScript']);
    assert.deepEqual(await linkTags(user.token, one.id), ['JavaScript']);
    assert.equal((await call(user.token, 'DELETE', `/v1/tags/${full.id}`)).statusCode, 204);
    assert.deepEqual(await linkTags(user.token, one.id), []);
    assert.equal((await call(user.token, 'GET', `/v1/links/${one.id}`)).statusCode, 200);
    assert.equal((await call(user.token, 'DELETE', `/v1/tags/${full.id}`)).statusCode, 404);
  });

  it("answers 404 for unknown or other users' tags", async () => {
    const owner = await h.signup();
    const stranger = await h.signup();
    const tag = (await call(owner.token, 'POST', '/v1/tags', { name: 'private' })).json();
    const mine = (await call(stranger.token, 'POST', '/v1/tags', { name: 'mine' })).json();
    for (const [method, url, body] of [
      ['PATCH', `/v1/tags/${tag.id}`, { name: 'x' }],
      ['DELETE', `/v1/tags/${tag.id}`, undefined],
      ['POST', `/v1/tags/${tag.id}/merge`, { into: mine.id }],
      ['POST', `/v1/tags/${mine.id}/merge`, { into: tag.id }],
      ['PATCH', '/v1/tags/nope', { name: 'x' }],
    ] as const) {
      const res = await call(stranger.token, method, url, body);
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.ok(isProblem(res));
    }
    assert.equal((await call(owner.token, 'POST', `/v1/tags/${tag.id}/merge`, {})).statusCode, 400);
  });
});
