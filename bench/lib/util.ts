/**
 * Shared helpers for the benchmarks: statistics, result files, process-tree memory, load
 * average and the corpus list. No dependencies beyond Node.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStat, processTable } from '../../test/support/proc.js';

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

/** What a process is, for `watchProcessCpu`: Chromium by process type, Node by entry point. */
function processLabel(comm: string, cmdline: string): string {
  if (/chrom/.test(comm) || /\/chromium\b/.test(cmdline)) {
    const type = /--type=([a-z-]+)/.exec(cmdline)?.[1];
    if (!type) return 'chromium browser';
    if (type === 'utility')
      return `chromium utility (${/--utility-sub-type=(?:\w+\.)*(\w+)/.exec(cmdline)?.[1] ?? '?'})`;
    return `chromium ${type}`;
  }
  if (comm === 'node' || /\bnode\b/.test(cmdline.split(' ')[0] ?? '')) {
    if (/snapshotter/.test(cmdline)) return 'node snapshotter';
    if (/services\/api|api\/dist|start\.mjs|supervise/.test(cmdline)) return 'node api';
    if (/bench\//.test(cmdline)) return 'node bench (fixture, bare loop)';
    return 'node other';
  }
  if (/^postgres/.test(comm)) return 'postgres';
  if (/^redis/.test(comm)) return 'redis';
  return comm;
}

/**
 * CPU seconds by label between the first sample and the last: each key (a process, a thread)
 * counts from its first sample, or from zero when it appeared after the first one.
 */
function cpuLedger() {
  const first = new Map<string, number>();
  const last = new Map<string, { label: string; seconds: number }>();
  return {
    labelOf: (key: string) => last.get(key)?.label,
    /** `initial`: the first sample, from which the others count. */
    record(key: string, label: string, seconds: number, initial: boolean) {
      if (!first.has(key)) first.set(key, initial ? seconds : 0);
      last.set(key, { label, seconds });
    },
    byLabel(): Record<string, number> {
      const spent: Record<string, number> = {};
      for (const [key, { label, seconds }] of last) {
        const used = seconds - (first.get(key) ?? 0);
        if (used > 0) spent[label] = (spent[label] ?? 0) + used;
      }
      return spent;
    },
  };
}

/**
 * CPU seconds per kind of process while `work` runs, sampled from /proc every 250 ms (a process
 * born and gone between two samples is missed; one that exits counts up to its last sample),
 * and per thread of the Node processes (main, libuv pool, V8 helpers, libvips…).
 * `unattributed` is what /proc/stat saw beyond them: short-lived processes and the kernel.
 */
export async function watchProcessCpu<T>(
  work: Promise<T>,
): Promise<{ value: T; cpuSeconds: Record<string, number>; nodeThreadSeconds: Record<string, number> }> {
  const processes = cpuLedger();
  const threads = cpuLedger();
  const sample = (initial: boolean) => {
    for (const proc of processTable()) {
      const key = String(proc.pid);
      try {
        const label =
          processes.labelOf(key) ??
          processLabel(proc.comm, readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
        processes.record(key, label, proc.cpuSeconds, initial);
        if (!label.startsWith('node ')) continue;
        for (const tid of readdirSync(`/proc/${proc.pid}/task`)) {
          const thread = parseStat(readFileSync(`/proc/${proc.pid}/task/${tid}/stat`, 'utf8'));
          const name = `${label}: ${thread.comm.replace(/[\d-]+$/, '')}`;
          threads.record(`${key}/${tid}`, name, thread.cpuSeconds, initial);
        }
      } catch {
        // Gone between listing and reading.
      }
    }
  };
  const machine0 = cpuTimes();
  sample(true);
  let done = false;
  const poll = (async () => {
    while (!done) {
      await sleep(250);
      sample(false);
    }
  })();
  let value: T;
  try {
    value = await work;
  } finally {
    done = true;
    await poll;
  }
  sample(false);
  const cpuSeconds = processes.byLabel();
  const attributed = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
  const machine = cpuTimes();
  cpuSeconds.unattributed = (machine.busy - machine0.busy) / 100 - attributed;
  const rounded = (figures: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(figures)
        .filter(([, v]) => Math.abs(v) >= 0.05)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, Math.round(v * 10) / 10]),
    );
  return { value, cpuSeconds: rounded(cpuSeconds), nodeThreadSeconds: rounded(threads.byLabel()) };
}

/** Share of the machine's CPU time in use between two readings, 0–1 (every process, not only ours). */
export function busyShare(from: CpuTimes, to: CpuTimes = cpuTimes()): number | null {
  const total = to.total - from.total;
  return total > 0 ? round((to.busy - from.busy) / total, 3) : null;
}
