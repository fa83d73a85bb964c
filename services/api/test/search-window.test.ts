import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { bearer, type Harness, startHarness } from './helpers.js';

const LINKS = 260;

interface Item {
  id: string;
  title: string | null;
  createdAt: string;
}

/**
 * More matches than the rank window (100 newest document matches + 100 newest title matches):
 * paging must still reach every match once, ranked rows first, then the rest newest first.
 */
describe('search pages past the rank window (postgres)', () => {
  let h: Harness;
  let token: string;
  let userId: string;
  before(async () => {
    h = await startHarness();
    await h.api.searchIndexer.close();
    const user = await h.signup();
    token = user.token;
    userId = user.userId;
    // Every link has `everywhere` in its text; one in ten has it in its title too (the oldest ones
    // among them are outside the document window but inside the title window).
    await h.api.database.db.execute(sql`insert into links (id, user_id, url, normalized_url, title, created_at, search_stale, search_head, search_vector)
      select gen_random_uuid(), ${userId}::uuid, 'https://window.test/' || g, 'https://window.test/' || g,
        case when g % 10 = 0 then 'everywhere title ' || g else 'title ' || g end, now() - g * interval '1 minute', false,
        setweight(to_tsvector('simple', case when g % 10 = 0 then 'everywhere title' else 'title' end), 'A'),
        setweight(to_tsvector('simple', case when g % 10 = 0 then 'everywhere title' else 'title' end), 'A')
          || setweight(to_tsvector('simple', 'everywhere words ' || g), 'C')
      from generate_series(1, ${LINKS}::int) g`);
    // `all` is on every link: a tag search walks the newest links by date (the probe finds
    // matches at once) and fills the window there. `recent` is on the 30 newest and on one in
    // ten of the others: the walk comes back short and the GIN index completes the window.
    for (const name of ['all', 'recent']) {
      await h.api.database.db.execute(sql`insert into tags (user_id, name) values (${userId}::uuid, ${name})`);
    }
    // Tagging marks a link's search document stale; another test file's indexer must not
    // rebuild these seeded documents, so the mark is undone in the same transaction.
    await h.api.database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into link_tags (link_id, tag_id)
        select l.id, t.id from links l join tags t on t.user_id = l.user_id
        where l.user_id = ${userId}::uuid and (t.name = 'all'
          or (t.name = 'recent' and (substring(l.url from '[0-9]+$')::int <= 30 or substring(l.url from '[0-9]+$')::int % 10 = 5)))`);
      await tx.execute(sql`update links set search_stale = false where user_id = ${userId}::uuid`);
    });
  });
  after(async () => {
    await h.api.database.db.execute(sql`delete from users where id = ${userId}::uuid`);
    await h.close();
  });

  async function pages(qs: string, limit: number): Promise<Item[]> {
    const seen: Item[] = [];
    let cursor: string | null = null;
    do {
      const res: { statusCode: number; body: string; json(): { items: Item[]; nextCursor: string | null } } =
        await h.api.app.inject({
          method: 'GET',
          url: `/v1/links?${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          headers: bearer(token),
        });
      assert.equal(res.statusCode, 200, res.body);
      seen.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    return seen;
  }

  for (const limit of [7, 50, 200]) {
    it(`reaches every match exactly once at limit ${limit}`, async () => {
      const seen = await pages('q=everywhere', limit);
      assert.equal(seen.length, LINKS);
      assert.equal(new Set(seen.map((i) => i.id)).size, LINKS);
      // The 26 title matches (all in the title window) rank first, though most are old.
      assert.ok(seen.slice(0, 26).every((i) => i.title?.startsWith('everywhere')));
      // After the 100 newest document matches (ranked), the rest follow newest first.
      const rest = seen.slice(26 + 90);
      const dates = rest.map((i) => Date.parse(i.createdAt));
      assert.deepEqual(
        dates,
        [...dates].sort((a, b) => b - a),
      );
      assert.ok(rest.every((i) => !i.title?.startsWith('everywhere')));
    });
  }

  for (const limit of [7, 200]) {
    it(`a tag on every link gives the same pages as no tag (window found by date) at limit ${limit}`, async () => {
      const tagged = await pages('q=everywhere&tag=all', limit);
      const untagged = await pages('q=everywhere', limit);
      assert.deepEqual(
        tagged.map((i) => i.id),
        untagged.map((i) => i.id),
      );
    });
  }

  it('a tag whose walk comes back short still reaches every tagged match once, ranked ones first', async () => {
    const seen = await pages('q=everywhere&tag=recent', 9);
    // 30 newest, then one in ten of the other 230.
    assert.equal(seen.length, 30 + 23);
    assert.equal(new Set(seen.map((i) => i.id)).size, seen.length);
    const n = (i: Item) => Number(/\d+$/.exec(i.title ?? '')?.[0]);
    assert.ok(seen.every((i) => n(i) <= 30 || n(i) % 10 === 5));
  });

  it('narrows the rest by a filter as well as the window', async () => {
    const seen = await pages(
      'q=everywhere&to=' + encodeURIComponent(new Date(Date.now() - 200 * 60_000).toISOString()),
      20,
    );
    assert.equal(seen.length, LINKS - 199);
    assert.equal(new Set(seen.map((i) => i.id)).size, seen.length);
  });
});
