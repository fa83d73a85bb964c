/**
 * Shared helpers for the benchmarks: statistics, result files, process-tree memory, load
 * average and the corpus list. No dependencies beyond Node.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');
export const RESULTS_DIR = path.join(BENCH_DIR, 'results');
export const CORPUS_DIR = path.resolve(ROOT, '../shared/corpus');

export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function corpusPages(): string[] {
  const manifest = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as {
    pages: { name: string }[];
  };
  return manifest.pages.map((p) => p.name);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest-rank.
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export const median = (values: number[]) => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export const round = (n: number, digits = 2) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);

export function loadAverage(): number[] {
  return os.loadavg().map((l) => Number(l.toFixed(2)));
}

export function conditions() {
  return {
    at: new Date().toISOString(),
    quick: QUICK,
    cpus: os.cpus().length,
    loadAverageAtStart: loadAverage(),
  };
}

export function writeResult(name: string, result: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ ...result, loadAverageAtEnd: loadAverage() }, null, 2)}\n`);
  return file;
}

export function chromiumVersion(): string {
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : 'chromium';
}

/** Run `work` and fail loudly if it takes longer than `ms` (every benchmark is bounded). */
export function deadline(ms: number, what: string): NodeJS.Timeout {
  const timer = setTimeout(() => {
    console.error(`${what}: exceeded ${Math.round(ms / 1000)} s, giving up`);
    process.kill(process.pid, 'SIGTERM');
  }, ms);
  timer.unref();
  return timer;
}

/** Registers a cleanup for SIGTERM/SIGINT (the runner's timeout) and normal failure. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];
export function onCleanup(fn: () => Promise<unknown> | unknown): void {
  cleanups.push(fn);
}
export async function runCleanups(): Promise<void> {
  while (cleanups.length) {
    const fn = cleanups.pop() as () => unknown;
    try {
      await Promise.race([Promise.resolve(fn()), sleep(20_000)]);
    } catch (err) {
      console.error('cleanup failed:', err);
    }
  }
}
let signalled = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    runCleanups().finally(() => process.exit(130));
  });
}

/** Runs a benchmark body with cleanups always run; exits non-zero on failure. */
export async function main(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    console.error(err);
    process.exitCode = 1;
  } finally {
    await runCleanups();
  }
  // Stray handles (BullMQ, sockets) must not keep a finished benchmark alive.
  setTimeout(() => process.exit(), 500).unref();
}

/** The whole machine's CPU counters from /proc/stat (every core, in clock ticks). */
export interface CpuTimes {
  busy: number;
  total: number;
}

export function cpuTimes(): CpuTimes {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Share of the machine's CPU time in use between two readings, 0–1 (every process, not only ours). */
export function busyShare(from: CpuTimes, to: CpuTimes = cpuTimes()): number | null {
  const total = to.total - from.total;
  return total > 0 ? round((to.busy - from.busy) / total, 3) : null;
}
