// One batch of test files through node:test's `run()`, in the order given, then its counts as
// JSON in the file named first: `node scripts/test-batch.mjs <counts.json> <concurrency>
// <timeout ms> <file>...`. scripts/test.mjs starts it with `--import tsx`, which each file's
// process inherits. Not `node --test`: in Node 20 it sorts its files by name whatever order
// they are given in, so the longest files (test/e2e/soak…) started last and ran on alone at the
// end of the parallel batch.
import { writeFileSync } from 'node:fs';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const [countsFile, concurrency, timeout, ...files] = process.argv.slice(2);
const counts = { passed: 0, failed: 0, skipped: 0 };
const stream = run({ files, concurrency: Number(concurrency), timeout: Number(timeout) });
const count = (passed) => (data) => {
  if (data.details?.type === 'suite') return;
  if (data.skip || data.todo) counts.skipped += 1;
  else if (passed) counts.passed += 1;
  else counts.failed += 1;
};
stream.on('test:pass', count(true));
stream.on('test:fail', count(false));
stream.on('end', () => {
  writeFileSync(countsFile, JSON.stringify(counts));
  process.exitCode = counts.failed > 0 ? 1 : 0;
});
stream.compose(spec).pipe(process.stdout);
