/**
 * bench/results/search.json, written by two programs: search.bench.ts appends a run (the
 * latest is also the file's headline, which bench/run.ts reports) and search-compare.ts appends
 * a comparison. Each keeps what the other wrote, and both record the load the way the other
 * benchmarks do (`loadAverageAtStart`/`loadAverageAtEnd`, [1, 5, 15] min), `links` counting
 * every link in the database and `userLinks` the searched user's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SEARCH_RESULTS = fileURLToPath(new URL('../results/search.json', import.meta.url));

type Entry = Record<string, unknown>;
interface SearchResults {
  runs: Entry[];
  comparisons: Entry[];
}

function read(): SearchResults {
  try {
    const file = JSON.parse(readFileSync(SEARCH_RESULTS, 'utf8')) as Partial<SearchResults>;
    return { runs: file.runs ?? [], comparisons: file.comparisons ?? [] };
  } catch {
    return { runs: [], comparisons: [] };
  }
}

function write(headline: Entry, results: SearchResults): void {
  mkdirSync(dirname(SEARCH_RESULTS), { recursive: true });
  writeFileSync(SEARCH_RESULTS, `${JSON.stringify({ ...headline, ...results }, null, 2)}\n`);
}

/** The run becomes the headline; the last twelve runs are kept, every comparison too. */
export function appendRun(run: Entry): void {
  const { runs, comparisons } = read();
  write(run, { runs: [...runs, run].slice(-12), comparisons });
}

export function appendComparison(comparison: Entry): void {
  const { runs, comparisons } = read();
  const { runs: _runs, comparisons: _comparisons, ...headline } = JSON.parse(readFileSync(SEARCH_RESULTS, 'utf8'));
  write(headline, { runs, comparisons: [...comparisons, comparison] });
}
