import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { tempDir } from '../../../test/support/services.js';
import { links, snapshots } from '../src/db/schema.js';
import { bearer, type Harness, startHarness } from './helpers.js';

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`full-text search on ${kind}`, () => {
    let h: Harness;
    before(async () => {
      h =
        kind === 'pglite'
          ? await startHarness({ databaseUrl: null, dataDir: tempDir('linksnap-search-'), extra: { JWT_SECRET: '' } })
          : await startHarness();
      assert.equal(h.api.database.kind, kind);
    });
    after(async () => {
      await h.close();
    });

    const get = (token: string, url: string) => h.api.app.inject({ method: 'GET', url, headers: bearer(token) });

    async function save(
      token: string,
      fields: { title?: string; description?: string; text?: string; tags?: string[] },
    ) {
      const res = await h.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(token),
        payload: { url: `http://8.8.8.8/${randomUUID()}`, tags: fields.tags },
      });
      const { link, snapshot } = res.json();
      const db = h.api.database.db;
      await db
        .update(links)
        .set({ title: fields.title ?? null, description: fields.description ?? null })
        .where(eq(links.id, link.id));
      await db
        .update(snapshots)
        .set({ status: 'succeeded', text: fields.text ?? null })
        .where(eq(snapshots.id, snapshot.id));
      return link.id as string;
    }

    const search = async (token: string, qs: string) => {
      await h.api.searchIndexer.drain();
      const res = await get(token, `/v1/links?${qs}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items as { id: string; match: { snapshotId: string | null; snippet: string | null } }[];
    };

    it('finds Chinese words and returns a marked snippet of the matching version', async () => {
      const user = await h.signup();
      const zh = await save(user.token, { title: '产品介绍', text: '这是一个链接快照平台，可以保存网页的永久快照。' });
      await save(user.token, { title: 'Unrelated', text: 'Nothing to see here' });
      const items = await search(user.token, `q=${encodeURIComponent('快照')}`);
      assert.deepEqual(
        items.map((i) => i.id),
        [zh],
      );
      assert.ok(items[0]?.match.snippet?.includes('链接\uE000快照\uE001平台'), String(items[0]?.match.snippet));
      assert.deepEqual(await search(user.token, `q=${encodeURIComponent('数据库')}`), []);
    });

    it('matches English words in title, description, URL and text, ranking title hits first', async () => {
      const user = await h.signup();
      const inText = await save(user.token, { title: 'A page', text: 'A long article about PostgreSQL indexes.' });
      const inTitle = await save(user.token, { title: 'PostgreSQL tips' });
      const inDescription = await save(user.token, { description: 'notes on postgresql replication' });
      await save(user.token, { title: 'Cooking', text: 'Bread and butter' });
      const items = await search(user.token, 'q=postgresql');
      assert.equal(items[0]?.id, inTitle);
      assert.deepEqual(new Set(items.map((i) => i.id)), new Set([inText, inTitle, inDescription]));
      assert.ok(items.every((i) => 'match' in i));
      assert.equal((await search(user.token, 'q=8.8.8.8')).length, 4, 'the URL is searchable');
      assert.equal((await search(user.token, 'q=replic*')).length, 1, 'prefix* matches the start of words');
      assert.equal((await search(user.token, 'q=replic')).length, 0, 'a bare word matches whole words');
    });

    it('combines search with tag filters and pages through ranked results', async () => {
      const user = await h.signup();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        ids.push(
          await save(user.token, { title: i % 2 ? 'Rust notes' : 'misc', text: 'rust everywhere', tags: ['dev'] }),
        );
      }
      await save(user.token, { title: 'Rust', tags: ['other'] });
      const seen: string[] = [];
      let cursor: string | null = null;
      await h.api.searchIndexer.drain();
      do {
        const res = await get(user.token, `/v1/links?q=rust&tag=dev&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        seen.push(...res.json().items.map((i: { id: string }) => i.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      assert.equal(seen.length, 7);
      assert.deepEqual(new Set(seen), new Set(ids));
      const titled = ids.filter((_, i) => i % 2 === 1);
      assert.deepEqual(new Set(seen.slice(0, 3)), new Set(titled));
    });
  });
}
