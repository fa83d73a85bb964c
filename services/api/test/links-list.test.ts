import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { links, linkTags, snapshots, tags } from '../src/db/schema.js';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

describe('GET /v1/links', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const get = (token: string, url: string) => h.api.app.inject({ method: 'GET', url, headers: bearer(token) });
  const post = (token: string, payload: object) =>
    h.api.app.inject({ method: 'POST', url: '/v1/links', headers: bearer(token), payload });

  /** Inserts links straight into the database (no capture jobs), oldest first. */
  async function insertLinks(userId: string, count: number, base = Date.now()): Promise<string[]> {
    const rows = Array.from({ length: count }, (_, i) => {
      const url = `http://8.8.8.8/bulk-${randomUUID()}`;
      return { userId, url, normalizedUrl: url, createdAt: new Date(base + i * 1000) };
    });
    const inserted = await h.api.database.db.insert(links).values(rows).returning({ id: links.id });
    return inserted.map((r) => r.id);
  }

  it('filters by tags with match=all and match=any', async () => {
    const user = await h.signup();
    const a = (await post(user.token, { url: `http://8.8.8.8/${randomUUID()}`, tags: ['Red', 'Blue'] })).json();
    const b = (await post(user.token, { url: `http://8.8.8.8/${randomUUID()}`, tags: ['red'] })).json();
    await post(user.token, { url: `http://8.8.8.8/${randomUUID()}`, tags: ['Green'] });
    const ids = async (qs: string) =>
      (await get(user.token, `/v1/links?${qs}`)).json().items.map((i: { id: string }) => i.id);
    assert.deepEqual(await ids('tag=red&tag=blue'), [a.link.id]);
    assert.deepEqual(await ids('tag=red&tag=blue&match=any'), [b.link.id, a.link.id]);
    assert.deepEqual(await ids('tag=RED'), [b.link.id, a.link.id]);
    assert.deepEqual(await ids('tag=nothing'), []);
    const all = (await get(user.token, '/v1/links')).json();
    assert.equal(all.items.length, 3);
    assert.equal(all.nextCursor, null);
    const first = all.items.find((i: { id: string }) => i.id === a.link.id);
    assert.deepEqual(
      first.tags.map((t: { name: string }) => t.name),
      ['Blue', 'Red'],
    );
    assert.deepEqual(first.latestSnapshot, {
      id: a.snapshot.id,
      status: 'queued',
      title: null,
      finishedAt: null,
      httpStatus: null,
      errorCapture: false,
    });
    assert.equal(first.lastGoodSnapshot, null);
    assert.equal(first.thumbnailUrl, null);
  });

  it('filters by latest snapshot status and shows a thumbnail URL when one exists', async () => {
    const user = await h.signup();
    const done = (await post(user.token, { url: `http://8.8.8.8/${randomUUID()}` })).json();
    await post(user.token, { url: `http://8.8.8.8/${randomUUID()}` });
    const { eq } = await import('drizzle-orm');
    await h.api.database.db
      .update(snapshots)
      .set({
        status: 'succeeded',
        finishedAt: new Date(),
        title: 'Done',
        artifacts: [
          {
            kind: 'thumbnail',
            key: `snapshots/${done.snapshot.id}/thumbnail.png`,
            contentType: 'image/png',
            bytes: 3,
            sha256: 'x',
          },
        ],
      })
      .where(eq(snapshots.id, done.snapshot.id));
    await h.api.database.db
      .update(links)
      .set({ latestGoodSnapshotId: done.snapshot.id })
      .where(eq(links.id, done.link.id));
    const res = (await get(user.token, '/v1/links?status=succeeded')).json();
    assert.equal(res.items.length, 1);
    assert.equal(res.items[0].id, done.link.id);
    assert.equal(res.items[0].latestSnapshot.title, 'Done');
    assert.equal(res.items[0].thumbnailUrl, `/v1/snapshots/${done.snapshot.id}/artifacts/thumbnail`);
    assert.equal((await get(user.token, '/v1/links?status=queued')).json().items.length, 1);
  });

  it('pages through 500 links newest first without gaps or repeats while links are added', async () => {
    const user = await h.signup();
    const base = Date.now() - 10_000_000;
    const original = await insertLinks(user.userId, 500, base);
    // Two links share one timestamp: the id breaks the tie.
    const sameTime = new Date(base - 5000);
    await h.api.database.db.insert(links).values(
      [1, 2].map(() => {
        const url = `http://8.8.8.8/tie-${randomUUID()}`;
        return { userId: user.userId, url, normalizedUrl: url, createdAt: sameTime };
      }),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const qs: string = cursor ? `&cursor=${cursor}` : '';
      const res = await get(user.token, `/v1/links?limit=37${qs}`);
      assert.equal(res.statusCode, 200);
      const body = res.json();
      seen.push(...body.items.map((i: { id: string }) => i.id));
      cursor = body.nextCursor;
      pages++;
      // Newer links arrive while paging: they sort before the cursor and never shift pages.
      if (pages % 3 === 0) await insertLinks(user.userId, 5);
    } while (cursor);
    assert.equal(seen.length, 502);
    assert.equal(new Set(seen).size, 502);
    assert.deepEqual(seen.slice(0, 500), [...original].reverse());
  });

  it('applies the date range', async () => {
    const user = await h.signup();
    await insertLinks(user.userId, 3, Date.parse('2020-01-01T00:00:00Z'));
    const res = (await get(user.token, '/v1/links?from=2020-01-01T00:00:00.500Z&to=2020-01-01T00:00:01.500Z')).json();
    assert.equal(res.items.length, 1);
    assert.equal((await get(user.token, '/v1/links?from=2020-01-01')).json().items.length, 3);
  });

  it('rejects a bad cursor, limit or filter with a pointer', async () => {
    const user = await h.signup();
    for (const [qs, pointer] of [
      ['cursor=not-a-cursor', '/cursor'],
      [`cursor=${Buffer.from('["x","y"]').toString('base64url')}`, '/cursor'],
      ['limit=0', '/limit'],
      ['limit=201', '/limit'],
      ['limit=abc', '/limit'],
      ['match=some', '/match'],
      ['status=done', '/status'],
      ['from=yesterday', '/from'],
    ] as const) {
      const res = await get(user.token, `/v1/links?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.ok(isProblem(res), qs);
      assert.equal(res.json().code, 'VALIDATION_FAILED', qs);
      assert.ok(
        res.json().errors.some((e: { pointer: string }) => e.pointer.endsWith(pointer)),
        `${qs}: ${res.body}`,
      );
    }
  });

  it('never lists tags or links of another user', async () => {
    const owner = await h.signup();
    const other = await h.signup();
    await post(owner.token, { url: `http://8.8.8.8/${randomUUID()}`, tags: ['Mine'] });
    assert.deepEqual((await get(other.token, '/v1/links')).json().items, []);
    assert.deepEqual((await get(other.token, '/v1/links?tag=Mine')).json().items, []);
    assert.ok(tags && linkTags);
  });
});
