/**
 * Search benchmark: one user's library inside a larger database, seeded directly (see
 * lib/search-seed.ts), then `GET /v1/links?q=…` and `?q=…&tag=…` through app.inject.
 *
 *   node --import tsx bench/search.bench.ts [--links N] [--user-links N] [--pglite] [--queries N]
 *     [--keep] [--library <email of a kept run's user>]
 *
 * Defaults: 10,000 links, all one user's, on PostgreSQL (TEST_DATABASE_URL: give it a
 * database of its own). Appends the run to bench/results/search.json (the latest run is the
 * headline) and deletes the users it created; a `--library` run deletes nothing.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../services/api/src/db/links.repository.js';
import { bearer, startHarness } from '../services/api/test/helpers.js';
import { tempDir } from '../test/support/services.js';
import { Corpus } from './lib/search-corpus.js';
import { queryMix, TAGS } from './lib/search-queries.js';
import { appendRun } from './lib/search-results.js';
import { createOwners, createTags, seedLinks, withoutSearchIndex } from './lib/search-seed.js';
import { loadAverage, percentile, round } from './lib/util.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const USER_LINKS = arg('user-links', 10_000);
const LINKS = Math.max(arg('links', USER_LINKS), USER_LINKS);
const QUERIES = arg('queries', 300);
const PGLITE = process.argv.includes('--pglite');
/** Leaves the seeded users in place (to EXPLAIN queries afterwards). */
const KEEP = process.argv.includes('--keep');
const OTHER_USERS = Math.ceil((LINKS - USER_LINKS) / 100_000);
/**
 * Searches a library an earlier `--keep` run left (its user's email) instead of seeding one:
 * a 1M-link seed takes many minutes, a change to the search statement is measured in one.
 * Give the same --links/--user-links as that run; they are recorded, not checked.
 */
const LIBRARY = (() => {
  const i = process.argv.indexOf('--library');
  return i >= 0 ? process.argv[i + 1] : undefined;
})();

const h = PGLITE
  ? await startHarness({ databaseUrl: null, dataDir: tempDir('linksnap-search-bench-'), extra: { JWT_SECRET: '' } })
  : await startHarness();
const created: string[] = [];

/** Runs `work` over `items`, at most `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

async function login(email: string): Promise<{ token: string; userId: string; email: string }> {
  const res = await h.api.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    payload: { email, password: 'correct horse battery' },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return { token: body.token, userId: body.user.id, email };
}
try {
  await h.api.searchIndexer.close();
  const db = h.api.database.db;
  const user = LIBRARY ? await login(LIBRARY) : await h.signup();
  created.push(user.userId);
  console.log(`benchmark user ${user.userId} (${user.email})`);
  const t0 = performance.now();
  let loaded = 0;
  if (!LIBRARY)
    await withoutSearchIndex(db, async () => {
      const owner = { userId: user.userId, tagIds: await createTags(db, user.userId, TAGS) };
      const others = await createOwners(db, OTHER_USERS, TAGS);
      created.push(...others.map((o) => o.userId));
      const libraries = [
        // Each library its own seeded corpus, so the searched one is the same whatever runs beside it.
        { owner, count: USER_LINKS, corpus: new Corpus(42) },
        ...others.map((other, i) => ({
          owner: other,
          count: Math.min(100_000, LINKS - USER_LINKS - i * 100_000),
          corpus: new Corpus(43 + i),
        })),
      ];
      // PostgreSQL computes each library's documents on its own connection: a few at once use
      // both cores (and hold their share of a loaded machine). PGlite is one connection.
      let seeded = 0;
      await inParallel(libraries, PGLITE ? 1 : 3, async ({ owner, count, corpus }) => {
        await seedLinks(db, corpus, owner, count, TAGS);
        seeded += count;
        console.log(`seeded ${seeded} links`);
      });
      loaded = performance.now();
    });
  const seedMs = LIBRARY ? null : performance.now() - t0;
  const size = await db.execute(sql`select pg_database_size(current_database())::bigint as bytes`);
  const bytes = Number(rowsOf<{ bytes: string }>(size)[0]?.bytes);

  const modes: Record<string, { timings: number[]; hits: number }> = {
    q: { timings: [], hits: 0 },
    'q+tag': { timings: [], hits: 0 },
  };
  const queries = queryMix(new Corpus(7), QUERIES);
  const loadAverageAtStart = loadAverage();
  for (const [mode, stats] of Object.entries(modes)) {
    for (const [i, q] of queries.entries()) {
      const tag = mode === 'q+tag' ? `&tag=${encodeURIComponent(TAGS[i % TAGS.length] as string)}` : '';
      const started = performance.now();
      const res = await h.api.app.inject({
        method: 'GET',
        url: `/v1/links?q=${encodeURIComponent(q)}${tag}&limit=20`,
        headers: bearer(user.token),
      });
      stats.timings.push(performance.now() - started);
      if (res.statusCode !== 200) throw new Error(`query ${q} failed: ${res.statusCode} ${res.body}`);
      stats.hits += res.json().items.length;
    }
  }
  /** Nearest-rank percentile in ms, to 0.1 ms. */
  const pct = (values: number[], p: number) => round(percentile(values, p), 1);
  const byMode = Object.fromEntries(
    Object.entries(modes).map(([mode, s]) => [
      mode,
      { p50Ms: pct(s.timings, 0.5), p95Ms: pct(s.timings, 0.95), maxMs: pct(s.timings, 1), meanHits: s.hits / QUERIES },
    ]),
  );
  const all = Object.values(modes).flatMap((s) => s.timings);
  const run = {
    database: h.api.database.kind,
    links: LINKS,
    userLinks: USER_LINKS,
    queries: QUERIES * 2,
    seedMs: seedMs === null ? null : Math.round(seedMs),
    // Of seedMs: building the three search indexes after the rows were in.
    indexMs: seedMs === null ? null : Math.round(t0 + seedMs - loaded),
    databaseBytes: bytes,
    p50Ms: pct(all, 0.5),
    p95Ms: pct(all, 0.95),
    modes: byMode,
    // Timings on a shared machine mean little without the load they were taken under.
    loadAverageAtStart,
    loadAverageAtEnd: loadAverage(),
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(run, null, 2));
  appendRun(run);
} finally {
  // The links go with their users (cascade): left behind, later runs would search through them.
  // A reused library stays: it was seeded by another run, and a 1M seed takes a quarter of an
  // hour (drop the database to remove it).
  if (!PGLITE && !KEEP && !LIBRARY) {
    for (const id of created) await h.api.database.db.execute(sql`delete from users where id = ${id}::uuid`);
  }
  await h.close();
}
