/**
 * Benchmark runner: `npm run bench [-- names…] [--quick]`.
 * Runs each benchmark as its own bounded child process (own process group, SIGTERM then
 * SIGKILL at the limit), reads bench/results/<name>.json, prints a summary, and regenerates
 * bench/results/chart.svg and docs/benchmarks.md from the latest results of every benchmark.
 */
import { execSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, loadAverage, RESULTS_DIR, ROOT } from './lib/util.js';

const quick = process.argv.includes('--quick');
const names = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// Regenerate docs/benchmarks.md and the chart from the results already in bench/results.
const reportOnly = process.argv.includes('--report');

interface Bench {
  name: string;
  title: string;
  file: string;
  args: string[];
  result: string;
  limitMs: number;
}

const soak = existsSync(path.join(BENCH_DIR, 'soak.bench.ts'));
const BENCHES: Bench[] = [
  {
    name: 'capture',
    title: 'capture throughput',
    file: 'capture.bench.ts',
    args: [],
    result: 'capture',
    // Two platforms and the bare loop, each 2–8 min on a loaded 2-core machine.
    limitMs: 30 * 60_000,
  },
  { name: 'latency', title: 'latency', file: 'latency.bench.ts', args: [], result: 'latency', limitMs: 8 * 60_000 },
  { name: 'api', title: 'API', file: 'api.bench.ts', args: [], result: 'api', limitMs: 6 * 60_000 },
  soak
    ? {
        name: 'memory',
        title: 'memory (soak)',
        file: 'soak.bench.ts',
        args: [`--captures=${process.env.SOAK_CAPTURES ?? (quick ? 20 : 1000)}`],
        result: 'soak',
        limitMs: 10 * 60_000,
      }
    : { name: 'memory', title: 'memory', file: 'memory.bench.ts', args: [], result: 'memory', limitMs: 10 * 60_000 },
  { name: 'scale', title: 'scale-out', file: 'scale.bench.ts', args: [], result: 'scale', limitMs: 10 * 60_000 },
  { name: 'search', title: 'search', file: 'search.bench.ts', args: [], result: 'search', limitMs: 5 * 60_000 },
  // Six starts of the platform (three per form), each ~20 s plus 10 s at rest.
  { name: 'start', title: 'start-up', file: 'start.bench.ts', args: [], result: 'start', limitMs: 8 * 60_000 },
  // The corpus captured, then replayed offline page by page: 5–15 min.
  {
    name: 'replay',
    title: 'replay fidelity',
    file: 'replay.bench.ts',
    args: [],
    result: 'replay',
    limitMs: 30 * 60_000,
  },
];

const unknown = names.filter((n) => !BENCHES.some((b) => b.name === n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
const selected = names.length ? BENCHES.filter((b) => names.includes(b.name)) : BENCHES;

function runBench(bench: Bench): Promise<{ code: number | null; seconds: number; timedOut: boolean }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(BENCH_DIR, bench.file), ...bench.args, ...(quick ? ['--quick'] : [])],
      { cwd: ROOT, stdio: 'inherit', detached: true, env: { ...process.env, ...(quick ? { BENCH_QUICK: '1' } : {}) } },
    );
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const limit = setTimeout(() => {
      timedOut = true;
      console.error(`${bench.name}: over its ${bench.limitMs / 60_000} min limit, stopping it`);
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {}
      killTimer = setTimeout(() => {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {}
      }, 40_000);
    }, bench.limitMs);
    const forward = () => {
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {}
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code) => {
      clearTimeout(limit);
      if (killTimer) clearTimeout(killTimer);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, seconds: (Date.now() - started) / 1000, timedOut });
    });
  });
}

function readResult(name: string): any | null {
  const file = path.join(RESULTS_DIR, `${name}.json`);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// ---- run ------------------------------------------------------------------------------------
const status: Record<string, string> = {};
console.log(`load average before: ${loadAverage().join(' ')}${quick ? ' (quick mode: tiny samples)' : ''}`);
for (const bench of reportOnly ? [] : selected) {
  console.log(`\n=== ${bench.name}: ${bench.file} ${bench.args.join(' ')}`);
  const run = await runBench(bench);
  status[bench.name] = run.timedOut ? 'timed out' : run.code === 0 ? 'ok' : `failed (exit ${run.code})`;
  console.log(`=== ${bench.name}: ${status[bench.name]} in ${run.seconds.toFixed(0)} s`);
}

// ---- figures --------------------------------------------------------------------------------
const capture = readResult('capture');
const latency = readResult('latency');
const api = readResult('api');
const memory = readResult(soak ? 'soak' : 'memory');
const scale = readResult('scale');
const search = readResult('search');
const replay = readResult('replay');

interface Row {
  benchmark: string;
  metric: string;
  platform: string;
  baseline: string;
  ratio: number | null;
  goal: string;
  better: 'higher' | 'lower';
  target: number | null;
  load: string;
  quick: boolean;
  at: string;
  /** Extra pass/fail condition beyond the ratio (memory: no zombie). */
  alsoOk?: boolean;
}
const load = (r: any) =>
  r?.loadAverageAtStart
    ? `${r.loadAverageAtStart[0]} → ${r.loadAverageAtEnd?.[0] ?? '?'}`
    : r?.loadAverageAtEnd
      ? `? → ${r.loadAverageAtEnd[0]}`
      : '–';
const rows: Row[] = [];
const busy = (p: any) => (typeof p?.cpuBusy === 'number' ? `, CPU busy ${Math.round(p.cpuBusy * 100)} %` : '');
const captureRow = (benchmark: string, what: string, p: any, ratio: number | null, target: number) =>
  rows.push({
    benchmark,
    metric: `${capture.pages} corpus pages, ${what}: pages/min (successes, machine CPU busy)`,
    platform: `${p.pagesPerMin} (${p.success}/${capture.pages}${busy(p)})`,
    baseline: `${capture.baseline.pagesPerMin} (${capture.baseline.success}/${capture.pages}${busy(capture.baseline)})`,
    ratio,
    goal: `≥ ${target}`,
    better: 'higher',
    target,
    load: load(capture),
    quick: capture.quick,
    at: capture.at,
  });
if (capture?.defaultStack)
  captureRow(
    'capture (npm start)',
    `embedded defaults vs bare loop at concurrency ${capture.concurrency}`,
    capture.defaultStack,
    capture.defaultRatio,
    1.5,
  );
if (capture?.platform)
  captureRow(
    'capture (tuned)',
    `system PostgreSQL/Redis vs bare loop at concurrency ${capture.concurrency}`,
    capture.platform,
    capture.ratio,
    1.2,
  );
if (latency)
  rows.push({
    benchmark: 'latency',
    metric: `/simple submit → succeeded, ${latency.runs} runs: median / p95 ms`,
    platform: `${latency.platform.medianMs} / ${latency.platform.p95Ms}`,
    baseline: `${latency.baseline.medianMs} / ${latency.baseline.p95Ms}`,
    ratio: latency.ratio,
    goal: '≤ 1.25',
    better: 'lower',
    target: 1.25,
    load: load(latency),
    quick: latency.quick,
    at: latency.at,
  });
if (api) {
  rows.push({
    benchmark: 'api POST',
    metric: `POST /v1/links, ${api.connections} connections: req/s (p99 ms)`,
    platform: `${api.post.platform.reqPerSec} (${api.post.platform.p99Ms})`,
    baseline: `${api.post.baseline.reqPerSec} (${api.post.baseline.p99Ms})`,
    ratio: api.post.ratio,
    goal: '≥ 0.5',
    better: 'higher',
    target: 0.5,
    load: load(api),
    quick: api.quick,
    at: api.at,
  });
  rows.push({
    benchmark: 'api GET',
    metric: `GET /v1/jobs/{id} (queued job), ${api.connections} connections: req/s (p99 ms)`,
    platform: `${api.getJob.platform.reqPerSec} (${api.getJob.platform.p99Ms})`,
    baseline: `${api.getJob.baseline.reqPerSec} (${api.getJob.baseline.p99Ms})`,
    ratio: api.getJob.ratio,
    goal: '≥ 0.6',
    better: 'higher',
    target: 0.6,
    load: load(api),
    quick: api.quick,
    at: api.at,
  });
}
if (scale)
  rows.push({
    benchmark: 'scale-out',
    metric: `${scale.pages} pages: pages/min with 2 vs 1 snapshotter (duplicates)`,
    platform: `${scale.two.pagesPerMin} (${scale.duplicates} duplicates)`,
    baseline: `${scale.one.pagesPerMin}`,
    ratio: scale.speedup,
    goal: 'report (2 cores)',
    better: 'higher',
    target: null,
    load: load(scale),
    quick: scale.quick,
    at: scale.at,
  });
if (memory) {
  const samples: any[] = memory.samples ?? [];
  const first = samples.find((s) => s.captures >= 100) ?? samples[0];
  const last = samples.at(-1);
  rows.push({
    benchmark: 'memory',
    metric: `snapshotter tree PSS MiB after ${first?.captures ?? '?'} → ${last?.captures ?? '?'} captures (zombies)`,
    platform: `${first?.pssMiB ?? '?'} → ${last?.pssMiB ?? '?'} (${Math.max(0, ...samples.map((s) => s.zombies ?? 0))})`,
    baseline: '–',
    ratio: first?.pssMiB && last?.pssMiB ? Number((last.pssMiB / first.pssMiB).toFixed(2)) : null,
    goal: '≤ 1.2 growth, 0 zombies',
    alsoOk: Math.max(0, ...samples.map((s) => s.zombies ?? 0)) === 0,
    better: 'lower',
    target: 1.2,
    load: load(memory),
    quick: Boolean(memory.quick),
    at: memory.at,
  });
}
if (search)
  rows.push({
    benchmark: 'search',
    metric: `${search.queries} queries on ${search.links} links (${search.database}): p50 / p95 ms`,
    platform: `${search.p50Ms} / ${search.p95Ms}`,
    baseline: '–',
    ratio: null,
    goal: 'p95 < 50 ms',
    better: 'lower',
    target: null,
    load: load(search),
    quick: false,
    at: search.at,
  });

if (replay)
  rows.push({
    benchmark: 'replay',
    metric: `${replay.pages} corpus pages replayed offline: share whose first screen matches the capture's screenshot at ≥ ${replay.goal.similarity} (pixelmatch; median, ink median)`,
    platform: `${replay.shareAtGoal} (${replay.similarity.median}, ${replay.inkSimilarity?.median ?? '–'})`,
    baseline: '–',
    ratio: replay.shareAtGoal,
    goal: `≥ ${replay.goal.share}`,
    better: 'higher',
    target: replay.goal.share,
    load: load(replay),
    quick: replay.quick,
    at: replay.at,
    alsoOk: replay.leavingRequests?.length === 0,
  });

/** Start-up medians per form, from the start run. */
function startLine(result: any): string {
  if (!result?.compiled || !result?.tsx) return '(not measured).';
  const form = (f: any) =>
    `ready ${(f.readyMs / 1000).toFixed(1)} s (API ${(f.apiReadyMs / 1000).toFixed(1)} s), ${f.cpuSecondsToReady} CPU s, ` +
    `RSS platform ${Math.round(f.rssAtRestMB.platform)} MB / snapshotter ${Math.round(f.rssAtRestMB.snapshotter)} MB`;
  return `compiled ${form(result.compiled)}; tsx ${form(result.tsx)} (load average ${load(result)}).`;
}

/** Bytes stored per snapshot and per artifact kind (median / p95), from the replay run. */
function storageLine(result: any): string {
  if (!result?.storage) return '(not measured)';
  const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
  const kinds = Object.entries(result.storage.byKind as Record<string, { median: number; p95: number }>)
    .map(([kind, s]) => `${kind} ${kib(s.median)} / ${kib(s.p95)}`)
    .join(', ');
  const total = result.storage.perSnapshot;
  return `per snapshot ${kib(total.median)} / ${kib(total.p95)}; ${kinds}`;
}

interface SearchRun {
  database: string;
  links: number;
  userLinks: number;
  databaseBytes: number;
  seedMs: number | null;
  indexMs?: number | null;
  modes: Record<string, { p50Ms: number; p95Ms: number }>;
  loadAverageAtStart?: number[];
  loadAverageAtEnd?: number[];
  at: string;
}

type Timing = { p50Ms: number; p95Ms: number };
interface SearchComparison {
  what: string;
  links: number;
  userLinks: number;
  q: { old: Timing; new: Timing };
  'q+tag': { old: Timing; new: Timing };
  pagesThatDiffer: number;
  loadAverageAtStart?: number[];
  loadAverageAtEnd?: number[];
  at: string;
}

const minute = (at: string) => at.slice(0, 16).replace('T', ' ');
const seconds = (ms: number | null | undefined) => (typeof ms === 'number' ? `${Math.round(ms / 1000)} s` : '–');

/** One row per recorded search run (bench/results/search.json keeps the last twelve). */
function searchRuns(runs: SearchRun[] | undefined): string {
  if (!runs?.length) return '';
  const mode = (r: SearchRun, m: string) => (r.modes?.[m] ? `${r.modes[m].p50Ms} / ${r.modes[m].p95Ms}` : '–');
  const seed = (r: SearchRun) =>
    r.seedMs === null ? 'reused' : r.indexMs ? `${seconds(r.seedMs)} (index ${seconds(r.indexMs)})` : seconds(r.seedMs);
  const rows = runs.map(
    (r) =>
      `| ${r.database} | ${r.links} | ${r.userLinks} | ${mode(r, 'q')} | ${mode(r, 'q+tag')} | ${(r.databaseBytes / 1e6).toFixed(0)} MB | ${seed(r)} | ${load(r)} | ${minute(r.at)} |`,
  );
  return [
    '| database | links | one user’s | q: p50 / p95 ms | q+tag: p50 / p95 ms | database size | seed | load (1 min) | at |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** One row per search-compare.ts run: old and new statements interleaved on the same data. */
function searchComparisons(comparisons: SearchComparison[] | undefined): string {
  if (!comparisons?.length) return '';
  const pair = (c: SearchComparison, m: 'q' | 'q+tag') =>
    `${c[m].old.p50Ms} / ${c[m].old.p95Ms} → ${c[m].new.p50Ms} / ${c[m].new.p95Ms}`;
  const rows = comparisons.map(
    (c) =>
      `| ${c.what} | ${c.links} | ${c.userLinks} | ${pair(c, 'q')} | ${pair(c, 'q+tag')} | ${c.pagesThatDiffer} | ${load(c)} | ${minute(c.at)} |`,
  );
  return [
    '| compared | links | one user’s | q: old → new p50 / p95 ms | q+tag: old → new p50 / p95 ms | pages that differ | load (1 min) | at |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

const met = (r: Row) =>
  r.ratio === null || r.target === null
    ? null
    : (r.better === 'higher' ? r.ratio >= r.target : r.ratio <= r.target) && r.alsoOk !== false;

// ---- summary --------------------------------------------------------------------------------
console.log('\n=== summary');
for (const r of rows) {
  const verdict = met(r) === null ? '' : met(r) ? '  goal met' : '  GOAL MISSED';
  console.log(
    `${r.benchmark.padEnd(10)} platform ${r.platform} | baseline ${r.baseline} | ratio ${r.ratio ?? '–'} (goal ${r.goal})${verdict}${r.quick ? ' [quick]' : ''}`,
  );
}
for (const [name, s] of Object.entries(status)) if (s !== 'ok') console.log(`${name}: ${s}`);
console.log(`load average after: ${loadAverage().join(' ')}`);

// ---- chart ----------------------------------------------------------------------------------
function chart(rows: Row[]): string {
  const bars = rows.filter((r) => r.ratio !== null);
  const W = 760;
  const rowH = 44;
  const left = 250;
  const right = 90;
  const top = 56;
  const H = top + bars.length * rowH + 50;
  const max = Math.max(2.5, ...bars.map((r) => (r.ratio as number) * 1.1), ...bars.map((r) => r.target ?? 0));
  const x = (v: number) => left + (v / max) * (W - left - right);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">Platform ÷ bare baseline (same run)</text>`,
    `<text x="${W / 2}" y="40" text-anchor="middle" fill="#555">green: goal met, red: missed, grey: no goal; black tick = goal</text>`,
  );
  for (let v = 0; v <= max + 1e-9; v += 0.5) {
    out.push(
      `<line x1="${x(v)}" y1="${top - 6}" x2="${x(v)}" y2="${top + bars.length * rowH}" stroke="${v === 1 ? '#888' : '#e5e5e5'}" stroke-width="1"/>`,
      `<text x="${x(v)}" y="${top + bars.length * rowH + 16}" text-anchor="middle" fill="#555">${v.toFixed(1)}×</text>`,
    );
  }
  bars.forEach((r, i) => {
    const y = top + i * rowH;
    const ok = met(r);
    const color = ok === null ? '#9e9e9e' : ok ? '#2e7d32' : '#c62828';
    const label = `${r.benchmark} (${r.better} is better)`;
    out.push(
      `<text x="${left - 10}" y="${y + 24}" text-anchor="end">${esc(label)}</text>`,
      `<rect x="${left}" y="${y + 8}" width="${Math.max(1, x(r.ratio as number) - left)}" height="24" fill="${color}"/>`,
      `<text x="${Math.max(x(r.ratio as number), r.target === null ? 0 : x(r.target)) + 6}" y="${y + 25}">${(r.ratio as number).toFixed(2)}×</text>`,
    );
    if (r.target !== null)
      out.push(
        `<line x1="${x(r.target)}" y1="${y + 3}" x2="${x(r.target)}" y2="${y + 37}" stroke="#000" stroke-width="3"/>`,
      );
  });
  out.push(
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle" fill="#555">${esc(`ratio (memory: RSS growth; scale-out: 2 ÷ 1 snapshotter) — ${os.cpus().length} cores`)}</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}
writeFileSync(path.join(RESULTS_DIR, 'chart.svg'), chart(rows));

// ---- docs/benchmarks.md ---------------------------------------------------------------------
const sh = (cmd: string) => {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trimEnd();
  } catch {
    return '(unavailable)';
  }
};
const chromium = sh('/usr/bin/chromium --version 2>/dev/null')
  .split('\n')
  .filter((l) => /Chromium/.test(l))
  .join(' ');
const machine = [
  `- \`nproc\`: ${sh('nproc')}`,
  `- \`free -g\`:\n\n\`\`\`\n${sh('free -g')}\n\`\`\``,
  `- \`chromium --version\`: ${chromium || '(unavailable)'}`,
  `- Node ${process.version}, ${os.type()} ${os.release()}`,
].join('\n');
const tableRows = rows
  .map(
    (r) =>
      `| ${r.benchmark} | ${r.metric} | ${r.platform} | ${r.baseline} | ${r.ratio ?? '–'} | ${r.goal}${met(r) === null ? '' : met(r) ? ' ✅' : ' ❌'} | ${r.load}${r.quick ? ' (quick)' : ''} | ${r.at?.slice(0, 16).replace('T', ' ') ?? ''} |`,
  )
  .join('\n');
const stages = (s: Record<string, number> | undefined) =>
  s
    ? Object.entries(s)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ')
    : '–';
const template = readFileSync(path.join(BENCH_DIR, 'lib/benchmarks.template.md'), 'utf8');
const doc = template
  .replace('{{GENERATED}}', new Date().toISOString().slice(0, 16).replace('T', ' '))
  .replace('{{TABLE}}', tableRows || '| – | no results yet | | | | | | |')
  .replace('{{MACHINE}}', machine)
  .replace('{{SEARCH_RUNS}}', searchRuns(search?.runs as SearchRun[] | undefined))
  .replace('{{SEARCH_COMPARISONS}}', searchComparisons(search?.comparisons as SearchComparison[] | undefined))
  .replace('{{START}}', startLine(readResult('start')))
  .replace('{{STORAGE}}', storageLine(replay))
  .replace('{{CAPTURE_STAGES_PLATFORM}}', stages(capture?.platform?.stageMediansMs))
  .replace('{{CAPTURE_STAGES_BARE}}', stages(capture?.baseline?.stageMediansMs))
  .replace('{{CAPTURE_STAGES_DEFAULT}}', stages(capture?.defaultStack?.stageMediansMs))
  .replace('{{LATENCY_STAGES_PLATFORM}}', stages(latency?.platform?.stageMediansMs))
  .replace('{{LATENCY_STAGES_BARE}}', stages(latency?.baseline?.stageMediansMs))
  .replace(
    '{{LATENCY_SPLIT}}',
    latency
      ? `queue wait ${latency.platform.medianQueueWaitMs} ms, capture (started → finished) ${latency.platform.medianCaptureMs} ms, submit → final seen ${latency.platform.medianMs} ms`
      : '–',
  );
writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), doc);
console.log(`\nwrote ${path.relative(ROOT, path.join(RESULTS_DIR, 'chart.svg'))} and docs/benchmarks.md`);
process.exit(Object.values(status).every((s) => s === 'ok') ? 0 : 1);
