import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import { tempDir } from '../../../test/support/services.js';
import { links, snapshots } from '../src/db/schema.js';
import { segmentLink } from '../src/search/search-document.js';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

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
        .set({
          title: fields.title ?? null,
          description: fields.description ?? null,
          latestGoodSnapshotId: snapshot.id,
        })
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

    it('keeps q with tags exact as tags are added, removed, replaced, merged, renamed and deleted', async () => {
      const user = await h.signup();
      const send = async (method: 'PATCH' | 'POST' | 'DELETE', url: string, payload?: object) => {
        const res = await h.api.app.inject({ method, url, headers: bearer(user.token), payload });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
      };
      const found = async (qs: string) => new Set((await search(user.token, `q=rust&${qs}`)).map((i) => i.id));
      const a = await save(user.token, { title: 'Rust a', tags: ['dev'] });
      const b = await save(user.token, { title: 'Rust b' });
      await save(user.token, { title: 'Go c', tags: ['dev'] });
      assert.deepEqual(await found('tag=dev'), new Set([a]));
      await send('PATCH', `/v1/links/${b}`, { addTags: ['DEV'] });
      assert.deepEqual(await found('tag=dev'), new Set([a, b]));
      await send('PATCH', `/v1/links/${a}`, { removeTags: ['dev'] });
      assert.deepEqual(await found('tag=dev'), new Set([b]));
      await send('PATCH', `/v1/links/${a}`, { tags: ['Work', 'misc'] });
      assert.deepEqual(await found('tag=work&tag=misc'), new Set([a]));
      assert.deepEqual(await found('tag=work&tag=dev'), new Set());
      assert.deepEqual(await found('tag=work&tag=dev&match=any'), new Set([a, b]));
      assert.deepEqual(await found('tag=work&tag=nothing&match=any'), new Set([a]));
      assert.deepEqual(await found('tag=work&tag=nothing'), new Set());
      const tagsNow = (await get(user.token, '/v1/tags')).json().items as { id: string; name: string }[];
      const idOf = (name: string) => tagsNow.find((t) => t.name === name)?.id as string;
      await send('POST', `/v1/tags/${idOf('Work')}/merge`, { into: idOf('dev') });
      assert.deepEqual(await found('tag=dev'), new Set([a, b]));
      assert.deepEqual(await found('tag=work'), new Set());
      await send('PATCH', `/v1/tags/${idOf('dev')}`, { name: 'lang' });
      assert.deepEqual(await found('tag=lang&tag=misc'), new Set([a]));
      await send('DELETE', `/v1/tags/${idOf('misc')}`);
      assert.deepEqual(await found('tag=lang&tag=misc&match=any'), new Set([a, b]));
      assert.deepEqual(await found('tag=misc'), new Set());
      // The indexed column holds exactly the link's link_tags rows after all of that.
      const rows = await h.api.database.db.execute<{ same: boolean }>(
        sql`select l.tag_ids::text[] <@ coalesce(t.ids, '{}') and l.tag_ids::text[] @> coalesce(t.ids, '{}')
              and cardinality(l.tag_ids) = coalesce(cardinality(t.ids), 0) as same
            from links l left join (select link_id, array_agg(tag_id::text) ids from link_tags group by link_id) t
              on t.link_id = l.id
            where l.user_id = ${user.userId}::uuid`,
      );
      const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { same: boolean }[] }).rows;
      assert.deepEqual(
        list.map((r) => r.same),
        [true, true, true],
      );
    });

    it('answers bad queries with 200 and nothing, or 400 INVALID_QUERY, never an error or a full scan', async () => {
      const user = await h.signup();
      await save(user.token, { title: 'The and of', text: "a\\b & c | !d :* '); drop table links; --" });
      const q = (text: string) => get(user.token, `/v1/links?q=${encodeURIComponent(text)}`);
      for (const text of ['the and of', '- * " & | ! :*', '""', '-', '*', '()']) {
        await h.api.searchIndexer.drain();
        const res = await q(text);
        assert.equal(res.statusCode, 200, `${text}: ${res.body}`);
        assert.deepEqual(res.json().items, [], `${text} finds nothing rather than everything`);
      }
      for (const text of [
        'x'.repeat(10_000),
        '-only -excluded',
        Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '),
      ]) {
        const res = await q(text);
        assert.equal(res.statusCode, 400, res.body);
        assert.ok(isProblem(res));
        assert.equal(res.json().code, 'INVALID_QUERY');
      }
      const injected = await q("'); drop table links; --");
      assert.equal(injected.statusCode, 200, injected.body);
      assert.equal(injected.json().items.length, 1, 'SQL-looking text is searched as words');
      for (const text of ['a\\b', 'c | !d', ':*', '&']) assert.equal((await q(text)).statusCode, 200, text);
    });

    /**
     * Claims a stale link as another API process's indexer would: FOR UPDATE in a transaction
     * that stays open until `release`. With `index`, it reads the link's document at the claim
     * and writes it at the release, as the indexer does. Some indexer may take the link before
     * this does: then the link is made stale again (a few tries at most).
     */
    async function holdStale(id: string, { index = false } = {}): Promise<{ release: () => Promise<void> }> {
      const db = h.api.database.db;
      const repository = h.api.searchIndexer.repository;
      for (let attempt = 0; attempt < 5; attempt++) {
        await db.update(links).set({ searchStale: true }).where(eq(links.id, id));
        let release = () => {};
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let holder: Promise<unknown> = Promise.resolve();
        const held = await new Promise<boolean>((resolve) => {
          holder = db.transaction(async (tx) => {
            const rows = await tx
              .select({ id: links.id })
              .from(links)
              .where(and(eq(links.id, id), eq(links.searchStale, true)))
              .for('update');
            const input = rows.length === 1 && index ? (await repository.inputs(tx, [id])).get(id) : undefined;
            resolve(rows.length === 1);
            await released;
            if (input) await repository.write(tx, id, segmentLink(input));
          });
          holder.catch(() => resolve(false));
        });
        const releaseAndWait = async () => {
          release();
          await holder;
        };
        if (held) return { release: releaseAndWait };
        await releaseAndWait();
      }
      assert.fail('the stale link is held by another transaction');
    }

    const singleConnection = kind === 'pglite' && 'PGlite has one connection: no other process can hold a row';

    it('drains links another process holds: drain() returns once that process let them go', {
      skip: singleConnection,
    }, async () => {
      const user = await h.signup();
      const id = await save(user.token, { title: 'Held by another indexer' });
      // Another API process on this database (every one indexes) has claimed the stale link and
      // is slow to commit. drain() used to skip the locked row and return, and the search after
      // it missed the link (a CI run's flake).
      const hold = await holdStale(id);
      let drained = false;
      const drain = h.api.searchIndexer.drain().then(() => {
        drained = true;
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(drained, false, 'drain() waits while another process holds a stale link');
      } finally {
        await hold.release(); // It commits without indexing: the link is still stale, so drain() takes it.
        await drain;
      }
      const items = await search(user.token, `q=${encodeURIComponent('indexer')}`);
      assert.deepEqual(
        items.map((i) => i.id),
        [id],
      );
    });

    it('indexes a version that changed while another process was indexing its link', {
      skip: singleConnection,
    }, async () => {
      const user = await h.signup();
      const id = await save(user.token, { title: 'Indexed while it changes' });
      // The indexer has read the document (no text yet) and not yet written it when the capture's
      // text lands. The trigger used to see the link as stale already and leave it; the indexer
      // then cleared the flag over a document without the text (a CI run's missing hit).
      const hold = await holdStale(id, { index: true });
      const textLands = h.api.database.db
        .update(snapshots)
        .set({ text: 'The zeppelin arrived late.' })
        .where(eq(snapshots.linkId, id))
        .execute();
      try {
        await new Promise((resolve) => setTimeout(resolve, 200));
      } finally {
        await hold.release();
        await textLands;
      }
      const items = await search(user.token, 'q=zeppelin');
      assert.deepEqual(
        items.map((i) => i.id),
        [id],
      );
    });

    it('backfills links that have no search document while search keeps answering, with progress in /metrics', async () => {
      const user = await h.signup();
      const id = await save(user.token, { title: 'Backfilled 回填 page', text: 'written before the search migration' });
      // Only drain() indexes from here on: the background loop could empty the backlog first.
      await h.api.searchIndexer.close();
      await h.api.searchIndexer.drain();
      const indexedTotal = async () => {
        const metrics = await h.api.app.inject({ method: 'GET', url: '/metrics' });
        return Number(/^linksnap_search_indexed_total (\d+)$/m.exec(metrics.body)?.[1]);
      };
      // Every API process on a database shares its backlog (rows are claimed skip-locked), and
      // other test files' processes run beside this one: when one of them indexes the row first,
      // this process has nothing to count, so the row is made stale again (a few tries at most).
      let counted = false;
      for (let attempt = 0; attempt < 5 && !counted; attempt++) {
        // A row as migration 0004 leaves it: no document yet, marked stale.
        await h.api.database.db
          .update(links)
          .set({ searchVector: null, searchHead: null, searchStale: true })
          .where(eq(links.id, id));
        const during = await get(user.token, `/v1/links?q=${encodeURIComponent('回填')}`);
        assert.equal(during.statusCode, 200, during.body);
        const metrics = await h.api.app.inject({ method: 'GET', url: '/metrics' });
        const stale = /^linksnap_search_stale_links (\d+)$/m.exec(metrics.body);
        assert.ok(stale, 'the backlog is reported');
        const indexedBefore = await indexedTotal();
        assert.ok(Number.isFinite(indexedBefore));
        await h.api.searchIndexer.drain();
        counted = (await indexedTotal()) > indexedBefore;
      }
      assert.ok(counted, 'links this process indexed are counted');
      assert.deepEqual(
        (await search(user.token, `q=${encodeURIComponent('回填')}`)).map((i) => i.id),
        [id],
      );
    });
  });
}
