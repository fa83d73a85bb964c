import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { eq } from 'drizzle-orm';
import { tempDir } from '../../../test/support/services.js';
import { links, linkTags, snapshots, tags } from '../src/db/schema.js';
import { DOCS, type FixtureDoc, QUERIES } from './fixtures/search-relevance.js';
import { bearer, type Harness, startHarness } from './helpers.js';

interface Item {
  id: string;
  match: { snapshotId: string | null; snippet: string | null };
}

/** Writes one fixture document as rows: the link, its versions (oldest first), its tags. */
async function insertDoc(h: Harness, userId: string, doc: FixtureDoc, tagIds: Map<string, string>) {
  const db = h.api.database.db;
  const id = randomUUID();
  const url = doc.url ?? `https://fixture.test/${doc.key}`;
  await db
    .insert(links)
    .values({ id, userId, url, normalizedUrl: url, title: doc.title, description: doc.description });
  const versionIds = doc.versions.map(() => randomUUID());
  const now = Date.now();
  for (const [i, version] of [...doc.versions.entries()].reverse()) {
    await db.insert(snapshots).values({
      id: versionIds[i] as string,
      linkId: id,
      userId,
      status: 'succeeded',
      text: version.text,
      lang: version.lang ?? null,
      requestedAt: new Date(now - i * 86_400_000),
    });
  }
  await db.update(links).set({ latestSnapshotId: versionIds[0] }).where(eq(links.id, id));
  for (const name of doc.tags ?? []) {
    if (!tagIds.has(name)) {
      const [row] = await db.insert(tags).values({ userId, name }).returning();
      tagIds.set(name, row?.id as string);
    }
    await db.insert(linkTags).values({ linkId: id, tagId: tagIds.get(name) as string });
  }
  return { id, versionIds };
}

for (const kind of ['postgres', 'pglite'] as const) {
  describe(`search relevance fixture on ${kind}`, () => {
    let h: Harness;
    let token: string;
    const ids = new Map<string, { id: string; versionIds: string[] }>();
    before(async () => {
      h =
        kind === 'pglite'
          ? await startHarness({
              databaseUrl: null,
              dataDir: tempDir('linksnap-relevance-'),
              extra: { JWT_SECRET: '' },
            })
          : await startHarness();
      const user = await h.signup();
      token = user.token;
      const tagIds = new Map<string, string>();
      for (const doc of DOCS) ids.set(doc.key, await insertDoc(h, user.userId, doc, tagIds));
      await h.api.searchIndexer.drain();
    });
    after(async () => {
      await h.close();
    });

    it('has enough documents and queries to mean something', () => {
      assert.ok(DOCS.length >= 60, `${DOCS.length} documents`);
      assert.ok(QUERIES.length >= 30, `${QUERIES.length} queries`);
      assert.ok(QUERIES.filter((q) => /\p{Script=Han}/u.test(q.q)).length >= 15, 'Chinese queries');
    });

    for (const query of QUERIES) {
      it(`${JSON.stringify(query.q)} finds ${query.hits.join(', ') || 'none of ' + query.misses?.join(', ')}`, async () => {
        const res = await h.api.app.inject({
          method: 'GET',
          url: `/v1/links?limit=100&q=${encodeURIComponent(query.q)}`,
          headers: bearer(token),
        });
        assert.equal(res.statusCode, 200, res.body);
        const items = res.json().items as Item[];
        const keyOf = new Map([...ids].map(([key, v]) => [v.id, key]));
        const found = items.map((i) => keyOf.get(i.id));
        for (const hit of query.hits) assert.ok(found.includes(hit), `${hit} missing from ${found.join(', ')}`);
        for (const miss of query.misses ?? []) assert.ok(!found.includes(miss), `${miss} should not match`);
        assert.equal(new Set(found).size, found.length, 'each link appears once');
        if (query.top) assert.equal(found[0], query.top);
        if (query.version !== undefined) {
          const hit = items.find((i) => keyOf.get(i.id) === query.hits[0]);
          const expected = ids.get(query.hits[0] as string)?.versionIds[query.version];
          assert.equal(hit?.match.snapshotId, expected, 'the matching (older) version is named');
          assert.match(hit?.match.snippet ?? '', /\uE000.+\uE001/u, 'the snippet marks the word');
        }
      });
    }
  });
}
