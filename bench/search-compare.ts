/**
 * Old against new search statements on one library left by `search.bench.ts --keep`: each
 * query of the bench mix runs through both, interleaved (the order alternates), so the load of
 * a shared machine falls on both alike; pages are compared row by row (id and rank).
 * `--old <module>` is a copy of an earlier links-query.repository.ts (e.g. from
 * `git show main:…`, its imports pointed at services/api/src/db/), exporting LinksQueryRepository.
 *
 *   node --import tsx bench/search-compare.ts --user <uuid> --old ./lib/old.ts [--queries N] [--what <text>] [--warm]
 *
 * With --warm, each query runs once through both before the timed pair, so that neither side
 * meets a query's pages cold (otherwise the order of the pair decides which one pays for them).
 *
 * With --what, the result is appended to the `comparisons` of bench/results/search.json.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../services/api/src/db/database.js';
import { rowsOf } from '../services/api/src/db/links.repository.js';
import { LinksQueryRepository, type ListFilter } from '../services/api/src/db/links-query.repository.js';
import { parseQuery } from '../services/api/src/search/query-parser.js';
import { compileQuery } from '../services/api/src/search/search-query.js';
import { Corpus } from './lib/search-corpus.js';
import { queryMix, TAGS } from './lib/search-queries.js';
import { appendComparison } from './lib/search-results.js';
import { loadAverage, percentile, round } from './lib/util.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const userId = arg('user');
const oldModule = arg('old');
if (!userId || !oldModule) throw new Error('--user <uuid> --old <module>');
const QUERIES = Number(arg('queries') ?? 300);
/** What is compared (old and new code, queries, data); given, the result is appended to search.json. */
const WHAT = arg('what');
const WARM = process.argv.includes('--warm');
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('TEST_DATABASE_URL');

type Page = { link: { id: string }; rank: string | null }[];
interface Statement {
  run(filter: ListFilter): Promise<Page>;
}

const database = await openDatabase({ DATABASE_URL: url, DATA_DIR: '' });
const { LinksQueryRepository: OldRepository } = (await import(new URL(oldModule, import.meta.url).href)) as {
  LinksQueryRepository: new (
    db: typeof database.db,
  ) => { listQuery(f: ListFilter): Promise<Page>; withTagIds?(f: ListFilter): Promise<ListFilter | null> };
};
const oldRepository = new OldRepository(database.db);
const newRepository = new LinksQueryRepository(database.db);
const statements: Record<'old' | 'new', Statement> = {
  // The tag lookup is part of the cost of a version that has it, so it is inside the timing.
  old: {
    run: async (f) => {
      const resolved = oldRepository.withTagIds ? await oldRepository.withTagIds(f) : f;
      return resolved ? oldRepository.listQuery(resolved) : [];
    },
  },
  new: {
    run: async (f) => {
      const resolved = await newRepository.withTagIds(f);
      return resolved ? newRepository.listQuery(resolved) : [];
    },
  },
};

/** Nearest-rank percentile in ms, to 0.1 ms. */
const pct = (values: number[], p: number) => round(percentile(values, p), 1);
const page = (rows: Page) => JSON.stringify(rows.map((r) => [r.link.id, r.rank]));

try {
  const loadAverageAtStart = loadAverage();
  const queries = queryMix(new Corpus(7), QUERIES);
  const result: Record<string, unknown> = {};
  let differ = 0;
  for (const mode of ['q', 'q+tag']) {
    const timings = { old: [] as number[], new: [] as number[] };
    for (const [i, q] of queries.entries()) {
      const { tsquery } = await compileQuery(database.db, parseQuery(q));
      if (!tsquery) continue;
      const tags = mode === 'q+tag' ? [TAGS[i % TAGS.length] as string] : [];
      const filter: ListFilter = { userId, tags, match: 'all', tsquery, limit: 20 };
      const pages: Record<string, string> = {};
      if (WARM) for (const which of ['old', 'new'] as const) await statements[which].run(filter);
      for (const which of i % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
        const started = performance.now();
        const rows = await statements[which].run(filter);
        timings[which].push(performance.now() - started);
        pages[which] = page(rows);
      }
      if (pages.old !== pages.new) {
        differ++;
        console.log(`pages differ: ${JSON.stringify(q)} ${tags.join(',')}`);
      }
    }
    result[mode] = Object.fromEntries(
      (['old', 'new'] as const).map((w) => [
        w,
        { p50Ms: pct(timings[w], 0.5), p95Ms: pct(timings[w], 0.95), maxMs: pct(timings[w], 1) },
      ]),
    );
    result[`${mode} queries`] = timings.new.length;
  }
  const counts = await database.db.execute(
    sql`select count(*)::int as links, count(*) filter (where user_id = ${userId}::uuid)::int as user_links from links`,
  );
  const [count] = rowsOf<{ links: number; user_links: number }>(counts);
  const comparison = {
    what: WHAT,
    warm: WARM,
    links: count?.links,
    userLinks: count?.user_links,
    ...result,
    pagesThatDiffer: differ,
    loadAverageAtStart,
    loadAverageAtEnd: loadAverage(),
    at: new Date().toISOString(),
  };
  console.log(JSON.stringify(comparison, null, 2));
  if (WHAT) appendComparison(comparison);
} finally {
  await database.close();
}
