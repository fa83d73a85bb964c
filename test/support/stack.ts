/**
 * Runs the platform for end-to-end tests the way it runs in production: the API and each
 * snapshotter as separate Node processes on real ports, against real PostgreSQL (or PGlite),
 * Redis, an S3 server and Chromium. Every process is tracked by pid and killed on close.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@linksnap/api/embedded/redis-server';
import type { EmbeddedS3 } from '@linksnap/api/embedded/s3-server';
import {
  isFinalState,
  type ObjectStorage,
  parseConfig,
  RESULTS_QUEUE,
  redisOptions,
  SNAPSHOTS_QUEUE,
  storageFromConfig,
} from '@linksnap/shared';
import { Queue } from 'bullmq';
import { servicesCompiled } from '../../scripts/bootstrap.mjs';
import { BrowserTracker, ownerOfLocalPort } from './faults.js';
import { seedPgliteDataDir } from './pglite-template.js';
import { startTestS3, testEnv } from './services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Node's arguments to run a service as a separate process: its compiled form, as `npm start`
 * and the images run it, when that is current (`npm test` compiles before any test runs; a
 * process loads in about 3 CPU-seconds less without the TypeScript loader, ADR 0022), else its
 * sources through tsx (a source edited since, a test file run on its own).
 */
export function serviceArgs(service: 'api' | 'snapshotter'): string[] {
  const [dir, entry] = service === 'api' ? ['services/api', 'server'] : ['services/snapshotter', 'main'];
  return servicesCompiled()
    ? ['--conditions=production', path.join(root, dir, 'dist', `${entry}.js`)]
    : ['--import', 'tsx', path.join(root, dir, 'src', `${entry}.ts`)];
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote, for assertions on logs and for failure reports. */
  output: () => string;
  /** SIGTERM, and the exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * Services of this test process that are still running. The runner ends a file that runs past
 * its time limit with SIGTERM, before any `finally` has closed its stacks: they are sent
 * SIGTERM too (each stops gracefully and closes its Chromium), so none outlives its file and
 * loads the batches after it.
 */
const liveServices = new Set<ChildProcess>();
let stopsWithThisProcess = false;
function stopWithThisProcess(child: ChildProcess): void {
  liveServices.add(child);
  child.once('exit', () => liveServices.delete(child));
  if (stopsWithThisProcess) return;
  stopsWithThisProcess = true;
  const stopAll = () => {
    for (const service of liveServices) service.kill('SIGTERM');
  };
  process.once('exit', stopAll);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopAll();
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    });
  }
}

function spawnService(name: string, service: 'api' | 'snapshotter', env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, serviceArgs(service), {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stopWithThisProcess(child);
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    child,
    output: () => output,
    async stop(graceMs = 20_000) {
      if (!running()) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill() {
      if (!running()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Whether process `pid` holds a socket on local port `port`. Two test files can be handed the
 * same free port; the API that loses the race exits with EADDRINUSE, but the winner's /readyz
 * answers 200 on that port first, and a stack that took it for its own sent its requests to
 * another test's API (seen once: SSRF_BLOCKED for its own fixture).
 */
function holdsPort(pid: number | undefined, port: number): boolean {
  return pid !== undefined && ownerOfLocalPort(port, [pid]) === pid;
}

export interface StackOptions {
  /** Default: real PostgreSQL. */
  database?: 'postgres' | 'pglite';
  /** PostgreSQL URL instead of the test database's (e.g. through a fault-injecting proxy). */
  databaseUrl?: string;
  /** host:port entries let through the egress guard (the fixture server). */
  allow?: string[];
  snapshotters?: number;
  env?: Record<string, string>;
  /** An S3 server the test controls (e.g. to stop and restart it); closed with the stack. */
  s3?: EmbeddedS3;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  contentType: string;
}

export class Stack {
  readonly env: Record<string, string>;
  readonly storage: ObjectStorage;
  readonly snapshotters: ServiceProcess[] = [];
  api: ServiceProcess | undefined;
  /** API processes beside `api` (startReplica). */
  readonly replicas: ServiceProcess[] = [];
  private queues: Queue[] = [];
  /** Every browser its snapshotters launched: whatever is left of them dies with the stack. */
  private readonly browsers = new BrowserTracker(() => this.snapshotters);

  private constructor(
    readonly s3: EmbeddedS3,
    env: Record<string, string>,
    readonly baseUrl: string,
  ) {
    this.env = env;
    const config = parseConfig(env);
    this.storage = storageFromConfig(config);
  }

  static async start(options: StackOptions = {}): Promise<Stack> {
    const s3 = options.s3 ?? (await startTestS3());
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const env = testEnv({
        s3,
        allow: options.allow,
        databaseUrl: options.database === 'pglite' ? null : options.databaseUrl,
        // The archive listener on an ephemeral port: PORT+1 may be another test's.
        extra: { ARCHIVE_PORT: '0', ...options.env, PORT: String(port) },
      });
      const stack = new Stack(s3, env, `http://127.0.0.1:${port}`);
      try {
        if (options.database === 'pglite') await seedPgliteDataDir(env.DATA_DIR as string);
        await stack.startApi();
        for (let i = 0; i < (options.snapshotters ?? 1); i++) stack.startSnapshotter();
        return stack;
      } catch (err) {
        // The port was free when picked, but a parallel test may bind it before the API does.
        if (attempt < 3 && /EADDRINUSE/.test(String(err)) && stack.snapshotters.length === 0) {
          stack.browsers.cleanup();
          continue;
        }
        await stack.close();
        throw err;
      }
    }
  }

  /** Starts (or restarts) the API process and waits until /readyz answers 200. */
  async startApi(timeoutMs = 120_000): Promise<void> {
    this.api = spawnService('api', 'api', this.env);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.api.child.exitCode !== null) {
        throw new Error(`API exited with ${this.api.child.exitCode}:\n${this.api.output()}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/readyz`);
        if (res.status === 200 && holdsPort(this.api.child.pid, Number(new URL(this.baseUrl).port))) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`API not ready within ${timeoutMs} ms:\n${this.api.output()}`);
  }

  /**
   * Another API process on its own port, sharing Redis, queue prefix, database and storage (a
   * replica); waits for its /readyz and is stopped with the stack.
   */
  async startReplica(timeoutMs = 120_000): Promise<{ process: ServiceProcess; baseUrl: string }> {
    const port = await freePort();
    const replica = spawnService(`api-${this.replicas.length + 2}`, 'api', { ...this.env, PORT: String(port) });
    this.replicas.push(replica);
    const baseUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (replica.child.exitCode !== null) throw new Error(`replica exited:\n${replica.output()}`);
      const ready = await fetch(`${baseUrl}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready && holdsPort(replica.child.pid, port)) return { process: replica, baseUrl };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`replica not ready within ${timeoutMs} ms:\n${replica.output()}`);
  }

  startSnapshotter(extraEnv: Record<string, string> = {}): ServiceProcess {
    const worker = spawnService(`snapshotter-${this.snapshotters.length + 1}`, 'snapshotter', {
      ...this.env,
      ...extraEnv,
    });
    this.snapshotters.push(worker);
    return worker;
  }

  /** Waits until every snapshotter has launched its browser and its BullMQ worker is connected. */
  async waitForSnapshotters(timeoutMs = 60_000): Promise<void> {
    const queue = this.queue(SNAPSHOTS_QUEUE);
    const deadline = Date.now() + timeoutMs;
    while ((await queue.getWorkersCount()) < this.snapshotters.length) {
      const exited = this.snapshotters.find((s) => s.child.exitCode !== null);
      if (exited) throw new Error(`${exited.name} exited with ${exited.child.exitCode}:\n${exited.output()}`);
      if (Date.now() > deadline) throw new Error(`snapshotters not ready within ${timeoutMs} ms:\n${this.logs()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A BullMQ queue handle on this stack's prefix, closed with the stack. */
  queue(name: typeof SNAPSHOTS_QUEUE | typeof RESULTS_QUEUE): Queue {
    const queue = new Queue(name, {
      connection: redisOptions(this.env.REDIS_URL as string),
      prefix: this.env.QUEUE_PREFIX,
    });
    this.queues.push(queue);
    return queue;
  }

  async request<T = any>(
    method: string,
    pathname: string,
    options: { token?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(`${this.baseUrl}${pathname}`, { method, headers, body });
    const contentType = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed = contentType.includes('json') && text.length > 0 ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: parsed as T, contentType };
  }

  /** Submits `url` as a link of the user with `token`; returns the id of its snapshot (and job). */
  async submit(token: string, url: string): Promise<string> {
    const res = await this.request('POST', '/v1/links', { token, json: { url } });
    assert.equal(res.status, 202, `submit ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.snapshot.id as string;
  }

  async download(pathname: string, token: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
    const res = await fetch(`${this.baseUrl}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  }

  /** Signs up a fresh user and returns its token. */
  async user(): Promise<{ token: string; id: string; email: string }> {
    const email = `user-${crypto.randomUUID()}@example.test`;
    const res = await this.request('POST', '/v1/auth/signup', { json: { email, password: 'correct horse battery' } });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { token: res.body.token, id: res.body.user.id, email };
  }

  /** Polls GET /v1/jobs/{id} until a final state; returns the job and the states seen. */
  async waitForJob(jobId: string, token: string, timeoutMs = 60_000): Promise<{ job: any; seen: string[] }> {
    const deadline = Date.now() + timeoutMs;
    const seen: string[] = [];
    let interval = 100;
    while (Date.now() < deadline) {
      const res = await this.request('GET', `/v1/jobs/${jobId}`, { token });
      if (res.status !== 200) throw new Error(`GET job ${jobId}: ${res.status} ${JSON.stringify(res.body)}`);
      if (seen.at(-1) !== res.body.state) seen.push(res.body.state);
      if (isFinalState(res.body.state)) return { job: res.body, seen };
      // From 100 ms up to 500 ms: a short capture is seen soon, and a long one is not polled ten
      // times a second, costing the test process and the API CPU the captures under test need.
      await new Promise((r) => setTimeout(r, interval));
      interval = Math.min(interval * 1.5, 500);
    }
    throw new Error(
      `job ${jobId} not finished within ${timeoutMs} ms (states: ${seen.join(' → ')})\n` +
        `${await this.describeQueueJob(jobId)}\n${this.logs()}`,
    );
  }

  /** The capture job and result message in Redis, for failure messages. */
  private async describeQueueJob(jobId: string): Promise<string> {
    try {
      const lines: string[] = [];
      for (const name of [SNAPSHOTS_QUEUE, RESULTS_QUEUE] as const) {
        const job = await this.queue(name).getJob(jobId);
        if (!job) {
          lines.push(`${name}: no job`);
          continue;
        }
        const { attemptsMade, stalledCounter, failedReason, processedBy } = job;
        lines.push(
          `${name}: ${await job.getState()} ${JSON.stringify({ attemptsMade, stalledCounter, failedReason, processedBy })}`,
        );
      }
      return lines.join('\n');
    } catch (err) {
      return `queue state unavailable: ${(err as Error).message}`;
    }
  }

  /** Everything the stack's processes printed (for failure messages). */
  logs(): string {
    return [this.api, ...this.replicas, ...this.snapshotters]
      .filter((p): p is ServiceProcess => p !== undefined)
      .map((p) => `--- ${p.name}\n${p.output().slice(-4000)}`)
      .join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.snapshotters.map((s) => s.stop(15_000)));
    this.browsers.cleanup();
    await Promise.all([this.api?.stop(10_000), ...this.replicas.map((r) => r.stop(10_000))]);
    for (const name of [SNAPSHOTS_QUEUE, RESULTS_QUEUE] as const) {
      const queue = this.queue(name);
      await queue.obliterate({ force: true }).catch(() => {});
    }
    await Promise.all(this.queues.map((q) => q.close()));
    await this.s3.close();
  }
}
