/**
 * Search benchmark: 10,000 links of one user (tags, titles, readable text in English and
 * Chinese) on real PostgreSQL, then 200 `GET /v1/links?q=…&tag=…` through app.inject.
 * Prints p50/p95 and writes bench/results/search.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { links, linkTags, snapshots, tags } from '../services/api/src/db/schema.js';
import { bearer, startHarness } from '../services/api/test/helpers.js';

const LINKS = 10_000;
const QUERIES = 200;
const WORDS = ['postgres', 'rust', 'typescript', 'kubernetes', 'design', 'security', 'cooking', 'travel'];
const CJK = ['链接快照平台', '数据库索引', '网页存档', '全文搜索', '分布式系统'];
const TAGS = ['dev', 'read-later', 'news', '中文', 'work', 'fun'];

const h = await startHarness();
let userId: string | undefined;
try {
  const user = await h.signup();
  userId = user.userId;
  const db = h.api.database.db;
  const tagRows = await db
    .insert(tags)
    .values(TAGS.map((name) => ({ userId: user.userId, name })))
    .returning();
  const t0 = performance.now();
  for (let start = 0; start < LINKS; start += 1000) {
    const chunk = Array.from({ length: Math.min(1000, LINKS - start) }, (_, j) => {
      const i = start + j;
      const url = `https://example.com/${WORDS[i % WORDS.length]}/${i}-${randomUUID()}`;
      return {
        link: {
          id: randomUUID(),
          userId: user.userId,
          url,
          normalizedUrl: url,
          title: `${WORDS[i % WORDS.length]} article ${i}`,
          description: i % 3 === 0 ? `notes about ${WORDS[(i + 3) % WORDS.length]}` : null,
          createdAt: new Date(Date.now() - (LINKS - i) * 60_000),
        },
        text: `${WORDS[(i + 1) % WORDS.length]} ${CJK[i % CJK.length]} `.repeat(40),
        tagIds: [tagRows[i % TAGS.length]?.id, tagRows[(i * 7) % TAGS.length]?.id],
      };
    });
    await db.insert(links).values(chunk.map((c) => c.link));
    const snaps = chunk.map((c) => ({
      id: randomUUID(),
      linkId: c.link.id,
      userId: user.userId,
      status: 'succeeded' as const,
      text: c.text,
      finishedAt: new Date(),
    }));
    await db.insert(snapshots).values(snaps);
    await db
      .insert(linkTags)
      .values(
        chunk.flatMap((c) => [...new Set(c.tagIds)].map((tagId) => ({ linkId: c.link.id, tagId: tagId as string }))),
      )
      .onConflictDoNothing();
    // drizzle-orm is not a dependency of the workspace root: use the driver behind db.
    const client = (db as unknown as { $client: { unsafe(q: string, p: unknown[]): Promise<unknown> } }).$client;
    await client.unsafe(
      'update links set latest_snapshot_id = s.id, latest_good_snapshot_id = s.id from snapshots s where s.link_id = links.id and links.user_id = $1 and links.latest_snapshot_id is null',
      [user.userId],
    );
  }
  const seedMs = performance.now() - t0;

  const queries = [...WORDS, ...CJK.map((c) => c.slice(1, 3)), 'article 12'];
  const timings: number[] = [];
  let hits = 0;
  for (let i = 0; i < QUERIES; i++) {
    const q = encodeURIComponent(queries[i % queries.length] as string);
    const tag = encodeURIComponent(TAGS[i % TAGS.length] as string);
    const started = performance.now();
    const res = await h.api.app.inject({
      method: 'GET',
      url: `/v1/links?q=${q}&tag=${tag}&limit=50`,
      headers: bearer(user.token),
    });
    timings.push(performance.now() - started);
    if (res.statusCode !== 200) throw new Error(`query failed: ${res.statusCode} ${res.body}`);
    hits += res.json().items.length;
  }
  const sorted = [...timings].sort((a, b) => a - b);
  const pct = (p: number) =>
    Number((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0).toFixed(1));
  const result = {
    database: h.api.database.kind,
    links: LINKS,
    queries: QUERIES,
    seedMs: Math.round(seedMs),
    p50Ms: pct(0.5),
    p95Ms: pct(0.95),
    maxMs: Number((sorted[sorted.length - 1] ?? 0).toFixed(1)),
    meanHitsPerQuery: hits / QUERIES,
    at: new Date().toISOString(),
  };
  console.log(`search: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms over ${QUERIES} queries on ${LINKS} links`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/search.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  // Its 10,000 links go with the user: left behind, every later run would search through them
  // too (the full-text index spans all users), and get slower run after run.
  if (userId) {
    const client = (h.api.database.db as unknown as { $client: { unsafe(q: string, p: unknown[]): Promise<unknown> } })
      .$client;
    await client.unsafe('delete from users where id = $1', [userId]);
  }
  await h.close();
}
