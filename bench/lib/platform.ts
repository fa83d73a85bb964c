/**
 * The platform as the benchmarks run it: test/support/stack.ts (API process on real
 * PostgreSQL + Redis, embedded S3) plus snapshotter processes started from
 * bench/lib/snapshotter-entry.ts (names never resolve), and the fixture server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import postgres from 'postgres';
import { type FixtureServer, startFixtureServer } from '../../test/support/fixture-server.js';
import { Stack } from '../../test/support/stack.js';
import { onCleanup, ROOT, sleep } from './util.js';

export { type FixtureServer, Stack };

const ENTRY = path.join(ROOT, 'bench/lib/snapshotter-entry.ts');

export interface Worker {
  name: string;
  child: ChildProcess;
  output(): string;
  stop(graceMs?: number): Promise<void>;
}

export function startWorker(stack: Stack, name: string, extraEnv: Record<string, string> = {}): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...stack.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const worker: Worker = {
    name,
    child,
    output: () => out,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  onCleanup(() => worker.stop());
  return worker;
}

/** What the benchmarks need of a running platform: submit links, read their jobs. */
export interface Client {
  token: string;
  stack: {
    request(method: string, pathname: string, options?: { token?: string }): Promise<{ status: number; body: any }>;
  };
  submit(url: string): Promise<{ snapshotId: string; at: number }>;
}

export interface Platform extends Client {
  stack: Stack;
  fixture: FixtureServer;
  workers: Worker[];
  token: string;
  submit(url: string): Promise<{ snapshotId: string; at: number }>;
  close(): Promise<void>;
}

/** Starts fixture server, API and `workers` snapshotter processes; cleans up on any exit. */
export async function startPlatform(options: {
  workers: number;
  env?: Record<string, string>;
  /** A fixture server the caller owns; otherwise one is started (and closed at exit). */
  fixture?: FixtureServer;
}): Promise<Platform> {
  const fixture = options.fixture ?? (await startFixtureServer());
  if (!options.fixture) onCleanup(() => fixture.close());
  const stack = await Stack.start({
    allow: [fixture.hostPort],
    snapshotters: 0,
    env: {
      LOG_LEVEL: 'warn',
      LINK_SUBMIT_RATE_LIMIT: '1000000',
      SIGNUP_RATE_LIMIT_PER_IP: '1000000',
      ...options.env,
    },
  });
  let closed = false;
  let userId: string | undefined;
  const workers: Worker[] = [];
  const close = async () => {
    if (closed) return;
    closed = true;
    await Promise.all(workers.map((w) => w.stop()));
    await stack.close();
    // The run's user goes, with its links and snapshots: left behind, they would pile up in
    // the shared database run after run (an API run alone submits about 10,000 links).
    const databaseUrl = stack.env.DATABASE_URL;
    if (userId && databaseUrl) {
      const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
      try {
        await sql`delete from users where id = ${userId}`;
      } finally {
        await sql.end();
      }
    }
  };
  onCleanup(close);
  for (let i = 0; i < options.workers; i++) workers.push(startWorker(stack, `snapshotter-${i + 1}`));
  const user = await stack.user();
  userId = user.id;
  return {
    stack,
    fixture,
    workers,
    token: user.token,
    async submit(url) {
      const at = Date.now();
      return { snapshotId: await stack.submit(user.token, url), at };
    },
    close,
  };
}

/** Waits until every worker's browser is up (a warm-up capture of /simple went through). */
export async function warmUp(
  platform: Client & { fixture: FixtureServer },
  count = 2,
  timeoutMs = 120_000,
): Promise<void> {
  const ids = await Promise.all(
    Array.from({ length: count }, (_, i) => platform.submit(platform.fixture.url(`/simple?warm=${i}-${Date.now()}`))),
  );
  for (const { snapshotId } of ids) await waitFinal(platform, snapshotId, timeoutMs);
}

const FINAL = new Set(['succeeded', 'partial', 'failed']);

/** Polls GET /v1/jobs/{id} every `intervalMs` until a final state. */
export async function waitFinal(
  platform: Client,
  snapshotId: string,
  timeoutMs: number,
  intervalMs = 50,
): Promise<{ job: any; at: number }> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // A reset keep-alive connection (the server closed it as the poll went out) is retried.
    const res = await platform.stack
      .request('GET', `/v1/jobs/${snapshotId}`, { token: platform.token })
      .catch(() => ({ status: 0, body: null }));
    if (res.status === 200 && FINAL.has(res.body.state)) return { job: res.body, at: Date.now() };
    await sleep(intervalMs);
  }
  const logs = 'logs' in platform.stack ? (platform.stack as Stack).logs() : '';
  throw new Error(`job ${snapshotId} not final within ${timeoutMs} ms\n${logs}`);
}

/**
 * Follows GET /v1/jobs/{id}/events (Server-Sent Events) until the job's final `state` event:
 * the moment a client watching the job learns the outcome, with no polling interval added.
 */
export async function streamFinal(
  platform: Platform,
  snapshotId: string,
  timeoutMs: number,
): Promise<{ job: any; at: number }> {
  const res = await fetch(`${platform.stack.baseUrl}/v1/jobs/${snapshotId}/events`, {
    headers: { authorization: `Bearer ${platform.token}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (res.status !== 200 || !res.body) throw new Error(`events of ${snapshotId}: HTTP ${res.status}`);
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of res.body) {
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
      const message = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const event = /^event: (.*)$/m.exec(message)?.[1];
      const data = /^data: (.*)$/m.exec(message)?.[1];
      if (event !== 'state' || data === undefined) continue;
      const job = JSON.parse(data);
      if (FINAL.has(job.state)) {
        const at = Date.now();
        await res.body.cancel().catch(() => undefined);
        return { job, at };
      }
    }
  }
  throw new Error(`the event stream of ${snapshotId} ended before a final state`);
}

/** Aggregates per-stage timings (ms) of finished jobs: median per stage. */
export function stageMedians(jobs: any[]): Record<string, number> {
  const by: Record<string, number[]> = {};
  for (const job of jobs) {
    const timings = (job?.snapshot?.timings ?? {}) as Record<string, number>;
    for (const [k, v] of Object.entries(timings)) {
      by[k] = [...(by[k] ?? []), v];
    }
  }
  const out: Record<string, number> = {};
  for (const [k, values] of Object.entries(by)) {
    values.sort((a, b) => a - b);
    out[k] = values[Math.floor(values.length / 2)] as number;
  }
  return out;
}
