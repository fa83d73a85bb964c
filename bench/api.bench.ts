/**
 * API throughput on loopback with autocannon: POST /v1/links (unique URLs; no snapshotter
 * running, so jobs stay queued) and GET /v1/jobs/{id} (a queued job: answered from BullMQ),
 * against a bare Fastify process doing one INSERT + one queue add, respectively one getJob.
 * 10 connections, 10 s per run (--quick: 3 s). LINK_SUBMIT_RATE_LIMIT is raised for the run.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPlatform } from './lib/platform.js';
import { conditions, deadline, main, onCleanup, QUICK, ROOT, round, sleep, writeResult } from './lib/util.js';

const DURATION = QUICK ? 3 : 10;
const CONNECTIONS = 10;
/**
 * Submitted URLs point at the allow-listed fixture server (an IP literal): the API resolves
 * host names at submit time (SSRF check) through the system resolver, which would send DNS
 * queries off the machine and measure the resolver instead of the API. Nothing ever fetches
 * them (no snapshotter runs).
 */
let TARGET = '';

interface Run {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

async function cannon(options: autocannon.Options): Promise<Run> {
  const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  return {
    reqPerSec: round(r.requests.average, 0) as number,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

function postRun(base: string, pathname: string, headers: Record<string, string>): Promise<Run> {
  const tag = randomUUID().slice(0, 8);
  let n = 0;
  return cannon({
    url: base,
    requests: [
      {
        method: 'POST',
        path: pathname,
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (req: any) => {
          req.body = JSON.stringify({ url: `${TARGET}/${tag}/${n++}` });
          return req;
        },
      },
    ],
  });
}

await main(async () => {
  deadline(6 * 60_000, 'api');
  const info = conditions();

  // Platform: API only, no snapshotter.
  const platform = await startPlatform({ workers: 0, env: { LOG_LEVEL: 'error', RATE_LIMIT_WINDOW_MS: '1000' } });
  TARGET = platform.fixture.url('/api-bench');
  const auth = { authorization: `Bearer ${platform.token}` };
  const base = platform.stack.baseUrl;
  const one = await platform.submit(`${TARGET}/one`);
  // Short warm-up (JIT, connection pools).
  await cannon({ url: `${base}/v1/jobs/${one.snapshotId}`, headers: auth, duration: 1 });
  const platformPost = await postRun(base, '/v1/links', auth);
  const platformGet = await cannon({ url: `${base}/v1/jobs/${one.snapshotId}`, headers: auth });
  await platform.close();

  // Bare Fastify in its own process, same PostgreSQL and Redis.
  const schema = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/lib/bare-api.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: platform.stack.env.DATABASE_URL as string,
      REDIS_URL: platform.stack.env.REDIS_URL as string,
      QUEUE_PREFIX: `bench_${randomUUID().slice(0, 8)}`,
      BENCH_SCHEMA: schema,
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
  });
  const bareBase = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`bare API exited ${code}`)));
    setTimeout(() => reject(new Error('bare API did not start')), 30_000);
  });
  const created = await fetch(`${bareBase}/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${TARGET}/one` }),
  }).then((r) => r.json() as Promise<{ id: string }>);
  await cannon({ url: `${bareBase}/jobs/${created.id}`, duration: 1 });
  const barePost = await postRun(bareBase, '/links', {});
  const bareGet = await cannon({ url: `${bareBase}/jobs/${created.id}` });
  await sleep(0);

  const result = {
    ...info,
    connections: CONNECTIONS,
    durationS: DURATION,
    post: {
      platform: platformPost,
      baseline: barePost,
      ratio: round(platformPost.reqPerSec / barePost.reqPerSec, 2),
      goal: '>= 0.5',
    },
    getJob: {
      platform: platformGet,
      baseline: bareGet,
      ratio: round(platformGet.reqPerSec / bareGet.reqPerSec, 2),
      goal: '>= 0.6',
    },
  };
  writeResult('api', result);
  console.log(
    `api: POST /v1/links ${platformPost.reqPerSec} req/s p99 ${platformPost.p99Ms} ms (non-2xx ${platformPost.non2xx}) vs bare ` +
      `${barePost.reqPerSec} req/s p99 ${barePost.p99Ms} ms → ratio ${result.post.ratio} (goal ≥ 0.5)\n` +
      `api: GET /v1/jobs/{id} ${platformGet.reqPerSec} req/s p99 ${platformGet.p99Ms} ms (non-2xx ${platformGet.non2xx}) vs bare ` +
      `${bareGet.reqPerSec} req/s p99 ${bareGet.p99Ms} ms → ratio ${result.getJob.ratio} (goal ≥ 0.6)`,
  );
});
