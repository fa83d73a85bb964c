/**
 * The platform as a user first runs it: `npm start` (scripts/start.mjs: bootstrap, then the
 * embedded defaults — PGlite, a private redis-server with append-only persistence, s3rver in
 * the API process, one snapshotter child) on a fresh DATA_DIR, with the snapshotter's real
 * resolver and the default NODE_ENV, LOG_LEVEL and CAPTURE_CONCURRENCY. The only settings
 * added are the ones a shared benchmark host needs: free ports, and the test egress allow-list
 * (EGRESS_ALLOW = the fixture server, EGRESS_ALLOW_ONLY) so the corpus pages' external hosts
 * are refused here and no traffic leaves 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../services/api/src/embedded/redis-server.js';
import type { FixtureServer } from '../../test/support/fixture-server.js';
import type { Client } from './platform.js';
import { onCleanup, ROOT, sleep } from './util.js';

export interface DefaultStack extends Client {
  baseUrl: string;
  dataDir: string;
  /** The snapshotter's Prometheus endpoint. */
  metricsUrl: string;
  child: ChildProcess;
  output(): string;
  close(): Promise<void>;
}

async function request(baseUrl: string, method: string, pathname: string, options: { token?: string; json?: unknown }) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text.length > 0;
  return { status: res.status, body: json ? JSON.parse(text) : text };
}

async function waitReady(baseUrl: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}:\n${output()}`);
    const ok = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`npm start not ready within ${timeoutMs} ms:\n${output()}`);
}

/** Starts `npm start` on a fresh DATA_DIR; its process group dies with the benchmark. */
export async function startDefaultStack(
  fixture: FixtureServer,
  env: Record<string, string> = {},
): Promise<DefaultStack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linksnap-bench-default-'));
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    detached: true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      DATA_DIR: dataDir,
      PORT: String(port),
      // Other developers' stacks may hold the default 9464 on a shared host.
      SNAPSHOTTER_METRICS_PORT: String(metricsPort),
      EGRESS_ALLOW: fixture.hostPort,
      EGRESS_ALLOW_ONLY: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-40_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {}
  };
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 40_000);
      await exited;
      clearTimeout(timer);
    }
    signalGroup('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  onCleanup(close);
  const baseUrl = `http://127.0.0.1:${port}`;
  // The first start bootstraps (pnpm install --frozen-lockfile, web UI build if stale).
  await waitReady(baseUrl, child, () => out, 180_000);
  const signup = await request(baseUrl, 'POST', '/v1/auth/signup', {
    json: { email: 'bench@example.test', password: 'correct horse battery' },
  });
  if (signup.status !== 201) throw new Error(`signup: ${signup.status} ${JSON.stringify(signup.body)}`);
  const token = signup.body.token as string;
  return {
    baseUrl,
    dataDir,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    child,
    token,
    output: () => out,
    stack: { request: (method, pathname, options = {}) => request(baseUrl, method, pathname, options) },
    async submit(url) {
      const at = Date.now();
      const res = await request(baseUrl, 'POST', '/v1/links', { token, json: { url } });
      if (res.status !== 202) throw new Error(`submit ${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return { snapshotId: res.body.snapshot.id as string, at };
    },
    close,
  };
}
