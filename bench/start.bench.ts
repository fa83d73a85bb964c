/**
 * Start-up of the platform as `npm start` runs it (API + UI + embedded Redis and S3 + one
 * snapshotter child, PGlite on a fresh DATA_DIR), in its two forms, alternated in one run:
 * compiled JavaScript (what `npm start` runs since ADR 0022) against the same sources run
 * through the tsx loader (what it ran before). Per run:
 * - apiReadyMs: spawn → /readyz answers 200 (PostgreSQL, Redis and S3 answer);
 * - readyMs: spawn → /readyz lists a running snapshotter (its browser is up, it takes jobs);
 * - cpuSecondsToReady: CPU time of the platform and snapshotter processes until then;
 * - RSS of each at rest, 10 s after ready.
 * Bootstrap is not timed (it is the same for both and a no-op once installed and built).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../services/api/src/embedded/redis-server.js';
import { parseStat } from '../test/support/proc.js';
import { conditions, main, median, onCleanup, QUICK, ROOT, round, sleep, writeResult } from './lib/util.js';

const FORMS = {
  compiled: ['--conditions=production', path.join(ROOT, 'services/api/dist/embedded/platform.js')],
  tsx: ['--import', 'tsx', path.join(ROOT, 'services/api/src/embedded/platform.ts')],
} as const;
type Form = keyof typeof FORMS;
const RUNS_PER_FORM = QUICK ? 1 : 3;
const REST_MS = 10_000;
const READY_LIMIT_MS = 120_000;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).cpuSeconds;
  } catch {
    return 0;
  }
}

function rssMB(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? round(Number(line[1]) / 1024, 1) : null;
  } catch {
    return null;
  }
}

/** The platform's node child running the snapshotter (redis-server is its other child). */
function snapshotterPid(platformPid: number): number | null {
  try {
    const children = readFileSync(`/proc/${platformPid}/task/${platformPid}/children`, 'utf8').trim().split(/\s+/);
    for (const pid of children.map(Number)) {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('snapshotter')) return pid;
    }
  } catch {}
  return null;
}

async function readiness(url: string): Promise<{ ok: boolean; snapshotters: number }> {
  try {
    const res = await fetch(`${url}/readyz`);
    const body = (await res.json()) as { snapshotters?: unknown[] };
    return { ok: res.status === 200, snapshotters: body.snapshotters?.length ?? 0 };
  } catch {
    return { ok: false, snapshotters: 0 };
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const force = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 15_000);
  return exited.finally(() => clearTimeout(force));
}

async function startOnce(form: Form) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linksnap-bench-start-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const started = performance.now();
  const child = spawn(process.execPath, [...FORMS[form]], {
    cwd: ROOT,
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      DATA_DIR: dataDir,
      PORT: String(port),
      SNAPSHOTTER_METRICS_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const cleanup = async () => {
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  onCleanup(cleanup);
  try {
    const pid = child.pid as number;
    let apiReadyMs: number | null = null;
    while (performance.now() - started < READY_LIMIT_MS) {
      if (child.exitCode !== null)
        throw new Error(`${form} platform exited ${child.exitCode}:\n${output.slice(-2000)}`);
      const state = await readiness(url);
      if (state.ok && apiReadyMs === null) apiReadyMs = performance.now() - started;
      if (state.ok && state.snapshotters > 0) break;
      await sleep(50);
    }
    const readyMs = performance.now() - started;
    if (readyMs >= READY_LIMIT_MS) throw new Error(`${form} platform not ready in ${READY_LIMIT_MS} ms`);
    const worker = snapshotterPid(pid);
    const cpu = cpuSeconds(pid) + (worker ? cpuSeconds(worker) : 0);
    await sleep(REST_MS);
    return {
      form,
      apiReadyMs: round(apiReadyMs ?? readyMs, 0),
      readyMs: round(readyMs, 0),
      cpuSecondsToReady: round(cpu, 2),
      rssAtRestMB: { platform: rssMB(pid), snapshotter: worker ? rssMB(worker) : null },
    };
  } finally {
    await cleanup();
  }
}

await main(async () => {
  const runs: Awaited<ReturnType<typeof startOnce>>[] = [];
  for (let i = 0; i < RUNS_PER_FORM; i++) {
    for (const form of ['tsx', 'compiled'] as const) {
      const run = await startOnce(form);
      console.log(
        `${form.padEnd(8)} API ready ${run.apiReadyMs} ms, snapshotter ready ${run.readyMs} ms, ` +
          `${run.cpuSecondsToReady} CPU s, RSS at rest platform ${run.rssAtRestMB.platform} MB / snapshotter ${run.rssAtRestMB.snapshotter} MB`,
      );
      runs.push(run);
    }
  }
  const summary = (form: Form) => {
    const mine = runs.filter((r) => r.form === form);
    const med = (pick: (r: (typeof mine)[number]) => number | null) =>
      round(median(mine.map(pick).filter((v): v is number => v !== null)), 1);
    return {
      apiReadyMs: med((r) => r.apiReadyMs),
      readyMs: med((r) => r.readyMs),
      cpuSecondsToReady: med((r) => r.cpuSecondsToReady),
      rssAtRestMB: { platform: med((r) => r.rssAtRestMB.platform), snapshotter: med((r) => r.rssAtRestMB.snapshotter) },
    };
  };
  const compiled = summary('compiled');
  const tsx = summary('tsx');
  const file = writeResult('start', {
    ...conditions(),
    what: 'npm start form: fresh DATA_DIR, embedded defaults; medians per form, runs alternated',
    runsPerForm: RUNS_PER_FORM,
    compiled,
    tsx,
    savedMs: {
      apiReady: round((tsx.apiReadyMs ?? 0) - (compiled.apiReadyMs ?? 0), 0),
      ready: round((tsx.readyMs ?? 0) - (compiled.readyMs ?? 0), 0),
    },
    runs,
  });
  console.log(`compiled vs tsx (medians): ${JSON.stringify({ compiled, tsx })}\nsaved to ${file}`);
});
