/**
 * Where search time goes, on a library left by `search.bench.ts --keep`: runs the benchmark's
 * query mix through LinksQueryRepository.listQuery (no HTTP, no snippets), prints p50/p95 per
 * mode and EXPLAIN (ANALYZE, BUFFERS) of the slowest queries. `--phases` runs the same mix
 * through LinksQueryService.list instead (what a request does, without HTTP) and prints the
 * median and p95 of each statement, of the three lookups after the page together (they run side
 * by side) and of the Node work between them (snippets, items).
 *
 *   node --import tsx bench/search-explain.ts --user <uuid> [--queries N] [--explain N] [--work-mem 4MB]
 *     [--phases]
 */
import { performance } from 'node:perf_hooks';
import type { Sql } from 'postgres';
import { type Db, openDatabase } from '../services/api/src/db/database.js';
import { LinksQueryRepository } from '../services/api/src/db/links-query.repository.js';
import { LinksQueryService } from '../services/api/src/domain/links-query.service.js';
import { parseQuery } from '../services/api/src/search/query-parser.js';
import { compileQuery } from '../services/api/src/search/search-query.js';
import { Corpus } from './lib/search-corpus.js';
import { queryMix, TAGS } from './lib/search-queries.js';
import { percentile, round } from './lib/util.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const userArg = arg('user');
if (!userArg) throw new Error('--user <uuid> (a user left by search.bench.ts --keep)');
const userId: string = userArg;
const QUERIES = Number(arg('queries') ?? 300);
const EXPLAIN = Number(arg('explain') ?? 3);
/** work_mem for the EXPLAINs only (e.g. 4MB, PostgreSQL's default, against the API's 16MB). */
const WORK_MEM = arg('work-mem')?.replace(/[^0-9A-Za-z]/g, '');
const PHASES = process.argv.includes('--phases');
const url = process.env.TEST_DATABASE_URL;
if (!url) throw new Error('TEST_DATABASE_URL');

const database = await openDatabase({ DATABASE_URL: url, DATA_DIR: '' });
const client = (database.db as unknown as { $client: Sql }).$client;
const repository = new LinksQueryRepository(database.db);

/**
 * `target` with `names` timed: each call's awaited time adds to `spent[name]`, and `spans[name]`
 * keeps the first start and last end (calls that overlap count once in a span). Calls go
 * through the proxy, so a timed method calling another counts both (the caller's time
 * includes the callee's; `phases` subtracts).
 */
function timed<T extends object>(
  target: T,
  names: string[],
  spent: Map<string, number>,
  spans = new Map<string, [number, number]>(),
): T {
  const proxy: T = new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver);
      if (typeof value !== 'function' || !names.includes(String(name))) return value;
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await value.apply(proxy, args);
        } finally {
          const ended = performance.now();
          spent.set(String(name), (spent.get(String(name)) ?? 0) + ended - started);
          spans.set(String(name), [spans.get(String(name))?.[0] ?? started, ended]);
        }
      };
    },
  });
  return proxy;
}

/** `db` whose prepared statements (the normalisation's, through `db.session`) count as `execute`. */
function timedRaw(db: Db, spent: Map<string, number>): Db {
  // `session` is drizzle's internal field, where builders' `.prepare()` goes.
  const session = new Proxy((db as unknown as { session: object }).session, {
    get(object, name) {
      const value = Reflect.get(object, name, object);
      if (name !== 'prepareQuery') return typeof value === 'function' ? value.bind(object) : value;
      return (...args: unknown[]) => timed(value.apply(object, args), ['execute'], spent);
    },
  });
  return new Proxy(db, {
    get(object, name, receiver) {
      return name === 'session' ? session : Reflect.get(object, name, receiver);
    },
  });
}

/** Where a search request's time goes, statement by statement, over the query mix. */
async function phases(queries: string[]): Promise<void> {
  for (const mode of ['q', 'q+tag']) {
    const samples: Record<string, number[]> = {};
    for (const [i, q] of queries.entries()) {
      const spent = new Map<string, number>();
      const spans = new Map<string, [number, number]>();
      const lookups = ['withVersions', 'tagsOf', 'versionTexts'];
      const repo = timed(repository, ['page', 'withTagIds', 'listQuery', ...lookups], spent, spans);
      const service = new LinksQueryService(repo, timedRaw(database.db, spent));
      const tag = mode === 'q+tag' ? [TAGS[i % TAGS.length] as string] : [];
      const started = performance.now();
      await service.list(userId, { q, tag, match: 'all', limit: 20 });
      const total = performance.now() - started;
      const get = (name: string) => spent.get(name) ?? 0;
      // The three lookups run side by side: their wall time is from the first start to the last end.
      const ran = lookups.flatMap((name) => {
        const span = spans.get(name);
        return span ? [span] : [];
      });
      const side = ran.length ? Math.max(...ran.map(([, end]) => end)) - Math.min(...ran.map(([start]) => start)) : 0;
      const row = {
        total,
        normalise: get('execute'),
        tagIds: get('withTagIds'),
        page: get('listQuery'),
        snapshots: get('withVersions'),
        tags: get('tagsOf'),
        texts: get('versionTexts'),
        lookups: side,
        node: total - get('execute') - get('page') - side,
      };
      for (const [name, ms] of Object.entries(row)) samples[name] = [...(samples[name] ?? []), ms];
    }
    console.log(`${mode} (${queries.length} queries), ms p50 / p95:`);
    for (const [name, values] of Object.entries(samples))
      console.log(`  ${name.padEnd(10)} ${round(percentile(values, 0.5), 1)} / ${round(percentile(values, 0.95), 1)}`);
  }
}

/** The page statement alone per mode, then EXPLAIN (ANALYZE, BUFFERS) of the slowest. */
async function explain(queries: string[]): Promise<void> {
  for (const mode of ['q', 'q+tag']) {
    const runs: { q: string; tags: string[]; ms: number; rows: number }[] = [];
    for (const [i, q] of queries.entries()) {
      const { tsquery } = await compileQuery(database.db, parseQuery(q));
      if (!tsquery) continue;
      const tags = mode === 'q+tag' ? [TAGS[i % TAGS.length] as string] : [];
      const started = performance.now();
      const filter = await repository.withTagIds({ userId, tags, match: 'all', tsquery, limit: 20 });
      const rows = filter ? await repository.listQuery(filter) : [];
      runs.push({ q, tags, ms: performance.now() - started, rows: rows.length });
    }
    const sorted = runs.map((r) => r.ms).sort((a, b) => a - b);
    const at = (p: number) => (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0).toFixed(1);
    console.log(`${mode}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms over ${runs.length}`);
    for (const slow of runs.sort((a, b) => b.ms - a.ms).slice(0, EXPLAIN)) {
      const { tsquery } = await compileQuery(database.db, parseQuery(slow.q));
      const filter = await repository.withTagIds({
        userId,
        tags: slow.tags,
        match: 'all',
        tsquery: tsquery as string,
        limit: 20,
      });
      if (!filter) continue;
      const query = repository.listQuery(filter).toSQL();
      const plan = (await client.begin(async (tx) => {
        if (WORK_MEM) await tx.unsafe(`set local work_mem = '${WORK_MEM}'`);
        return tx.unsafe(`explain (analyze, buffers) ${query.sql}`, query.params as never[]);
      })) as { 'QUERY PLAN': string }[];
      console.log(`\n--- ${JSON.stringify(slow.q)} ${slow.tags.join(',')} ${slow.ms.toFixed(1)} ms, ${slow.rows} rows`);
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    }
  }
}

try {
  const queries = queryMix(new Corpus(7), QUERIES);
  await (PHASES ? phases(queries) : explain(queries));
} finally {
  await database.close();
}
