/**
 * bench/results/search.json, written by two programs: search.bench.ts appends a run (the
 * latest is also the file's headline, which bench/run.ts reports) and search-compare.ts appends
 * a comparison. Each keeps what the other wrote, and both record the load the way the other
 * benchmarks do (`loadAverageAtStart`/`loadAverageAtEnd`, [1, 5, 15] min), `links` counting
 * every link in the database and `userLinks` the searched user's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_DIR } from './util.js';

export const SEARCH_RESULTS = path.join(RESULTS_DIR, 'search.json');

type Entry = Record<string, unknown>;
interface SearchResults {
  headline: Entry;
  runs: Entry[];
  comparisons: Entry[];
}

function read(): SearchResults {
  try {
    const { runs = [], comparisons = [], ...headline } = JSON.parse(readFileSync(SEARCH_RESULTS, 'utf8'));
    return { headline, runs, comparisons };
  } catch {
    return { headline: {}, runs: [], comparisons: [] };
  }
}

function write({ headline, runs, comparisons }: SearchResults): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(SEARCH_RESULTS, `${JSON.stringify({ ...headline, runs, comparisons }, null, 2)}\n`);
}

/** What a run measured: its database and sizes (runs of one kind are comparable). */
const kindOf = (run: Entry) => `${run.database} ${run.links} ${run.userLinks}`;

/**
 * The last twelve runs, and the latest of every other kind before them: a morning of 1M passes
 * must not push the only PGlite or 10k figure out of the file.
 */
export function keptRuns(runs: Entry[]): Entry[] {
  const recent = runs.slice(-12);
  const kinds = new Set(recent.map(kindOf));
  const older = runs.slice(0, -12).filter((run, i, all) => {
    const kind = kindOf(run);
    return !kinds.has(kind) && !all.slice(i + 1).some((later) => kindOf(later) === kind);
  });
  return [...older, ...recent];
}

/** The run becomes the headline; runs are kept as `keptRuns` says, every comparison too. */
export function appendRun(run: Entry): void {
  const { runs, comparisons } = read();
  write({ headline: run, runs: keptRuns([...runs, run]), comparisons });
}

export function appendComparison(comparison: Entry): void {
  const { headline, runs, comparisons } = read();
  write({ headline, runs, comparisons: [...comparisons, comparison] });
}
