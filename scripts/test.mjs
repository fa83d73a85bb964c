// `npm test`: bootstrap, lint and type-check, then every test file against real PostgreSQL,
// Redis, an S3-compatible server and Chromium. The last line is `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bootstrap, root } from './bootstrap.mjs';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

function step(name, cmd, args) {
  const started = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  process.stdout.write(
    `== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return result.status === 0;
}

bootstrap();

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const filter = process.argv.slice(2);
const files = ['packages', 'services', 'test']
  .flatMap((dir) => findTests(path.join(root, dir)))
  .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
  .sort();

// Lint and type-check count as two checks in the final line, so a red step is never hidden.
const checks = { passed: 0, failed: 0 };
const check = (name, cmd, args) => (step(name, cmd, args) ? checks.passed++ : checks.failed++);
if (filter.length === 0) {
  check('lint and format (biome)', bin('biome'), ['check', '.']);
  check('type-check (tsc)', bin('tsc'), ['-p', 'tsconfig.json']);
  check('type-check web UI (tsc)', bin('tsc'), ['-p', 'services/api/web/tsconfig.json']);
  check('type-check extension (tsc)', bin('tsc'), ['-p', 'apps/extension/tsconfig.json']);
}
/**
 * Runs test files through node:test and returns their counts. Two kinds of files wait until the
 * parallel batch is over, so other tests' Chromium processes do not skew their time bounds:
 * *.timed.test.ts (the fault tests: they mostly wait on outages, locks and timers, so they run
 * side by side) and then *.serial.test.ts (the corpus capture with its per-page limit), alone.
 */
function runTests(label, testFiles, concurrency) {
  if (testFiles.length === 0) return { passed: 0, failed: 0, skipped: 0, ok: true };
  const countsFile = path.join(os.tmpdir(), `linksnap-test-counts-${process.pid}-${label}.json`);
  const timingsFile = path.join(os.tmpdir(), `linksnap-test-timings-${process.pid}-${label}.jsonl`);
  rmSync(timingsFile, { force: true });
  const started = Date.now();
  process.stdout.write(`\n== tests (${label}): ${testFiles.length} files, concurrency ${concurrency}\n`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      path.join(root, 'scripts/file-timing.mjs'),
      path.join(root, 'scripts/test-batch.mjs'),
      countsFile,
      String(concurrency),
      // Per test: the 300-capture soak takes ~400 s beside the rest of the parallel batch, plus
      // its stack's start and stop, and past 600 s on a machine loaded by other work.
      '900000',
      ...testFiles,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', LINKSNAP_TEST_TIMINGS: timingsFile } },
  );
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`== tests (${label}) finished in ${seconds.toFixed(1)} s\n`);
  reportTimings(timingsFile, seconds, concurrency);
  const counts = existsSync(countsFile)
    ? JSON.parse(readFileSync(countsFile, 'utf8') || '{}')
    : { passed: 0, failed: 1, skipped: 0 };
  rmSync(countsFile, { force: true });
  if (result.status !== 0 && !counts.failed) counts.failed = 1; // the runner itself failed
  return {
    passed: counts.passed ?? 0,
    failed: counts.failed ?? 0,
    skipped: counts.skipped ?? 0,
    ok: result.status === 0,
  };
}

/**
 * Where a batch's time went: the files' own seconds (process start to exit) against what the
 * batch's slots offered, the CPU seconds they spent (with their services and browsers), and the
 * slowest files. A batch much longer than its files' seconds over its slots is badly packed;
 * one file near the batch's length is its floor; CPU near the batch's length × 2 cores means
 * only less work makes it shorter.
 */
function reportTimings(timingsFile, seconds, concurrency) {
  if (!existsSync(timingsFile)) return;
  const runs = readFileSync(timingsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .map((r) => ({ file: path.relative(root, r.file), seconds: (r.end - r.start) / 1000, cpu: r.cpu }))
    .sort((a, b) => b.seconds - a.seconds);
  rmSync(timingsFile, { force: true });
  const sum = (key) => runs.reduce((n, r) => n + r[key], 0);
  process.stdout.write(
    `== ${runs.length} files: ${sum('seconds').toFixed(0)} file-seconds over ${concurrency} slot(s) of ${seconds.toFixed(0)} s` +
      ` (${((100 * sum('seconds')) / (seconds * concurrency)).toFixed(0)} % busy), ${sum('cpu').toFixed(0)} CPU-seconds` +
      ` (${os.cpus().length} cores); slowest (wall / CPU s):\n` +
      runs
        .slice(0, 12)
        .map((r) => `   ${r.file} ${r.seconds.toFixed(0)} / ${r.cpu.toFixed(0)}`)
        .join('\n') +
      '\n',
  );
}

const isSerial = (file) => file.endsWith('.serial.test.ts');
const isTimed = (file) => file.endsWith('.timed.test.ts');
// The longest files start first (longest-first packs the batch's slots best), so none of them
// runs on alone at the end. Their order is each one's time in the parallel batch of a CI
// rehearsal (the `slowest` line the batch prints): soak 413 s, the rest 98–149 s.
const LONGEST = [
  'test/e2e/soak.test.ts',
  'test/e2e/delivery.test.ts',
  'test/e2e/versions-change.test.ts',
  'test/e2e/replay.test.ts',
  'test/e2e/cli.test.ts',
  'test/e2e/ui.test.ts',
  'test/e2e/pipeline.test.ts',
  'test/e2e/save-anywhere.test.ts',
];
const rank = (file) => (LONGEST.includes(file) ? LONGEST.indexOf(file) : LONGEST.length);
const batches = [
  runTests(
    'parallel',
    files.filter((f) => !isSerial(f) && !isTimed(f)).sort((a, b) => rank(a) - rank(b)),
    process.env.TEST_CONCURRENCY ?? 3,
  ),
  // Two at a time: at four, stacks starting side by side had the load average at 14 on 2 cores
  // and a slower CI machine ran past the tests' deadlines; at two the batch takes as long
  // (282 s against 271 s) with each test about 40 % faster.
  runTests('timed', files.filter(isTimed), 2),
  runTests('serial', files.filter(isSerial), 1),
];
const passed = checks.passed + batches.reduce((n, b) => n + b.passed, 0);
const failed = checks.failed + batches.reduce((n, b) => n + b.failed, 0);
const skipped = batches.reduce((n, b) => n + b.skipped, 0);
process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(batches.every((b) => b.ok) && checks.failed === 0 ? 0 : 1);
