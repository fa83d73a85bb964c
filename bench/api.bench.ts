/**
 * API throughput on loopback with autocannon: POST /v1/links (unique URLs; no snapshotter
 * running, so jobs stay queued) and GET /v1/jobs/{id} (a queued job: answered from BullMQ),
 * against a bare Fastify process doing one INSERT + one queue add, respectively one getJob.
 * 10 connections, 10 s per target and route (--quick: 4 s). LINK_SUBMIT_RATE_LIMIT is raised.
 *
 * Both processes run side by side and are measured in alternation, platform-bare-bare-platform
 * (two halves each), so that load from elsewhere on the machine weighs on both alike: the
 * ratio is the figure that matters. req/s is over both halves; p50/p99 are their means.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { startPlatform } from './lib/platform.js';
import { conditions, deadline, main, onCleanup, QUICK, ROOT, round, sleep, writeResult } from './lib/util.js';

const DURATION = QUICK ? 4 : 10;
const HALF = DURATION / 2;
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

/** Two halves of one measurement as one: total req/s, mean percentiles. */
function combine(a: Run, b: Run): Run {
  return {
    reqPerSec: round((a.requests + b.requests) / DURATION, 0) as number,
    p50Ms: round((a.p50Ms + b.p50Ms) / 2, 1) as number,
    p99Ms: round((a.p99Ms + b.p99Ms) / 2, 1) as number,
    requests: a.requests + b.requests,
    non2xx: a.non2xx + b.non2xx,
    errors: a.errors + b.errors,
  };
}

/** platform, bare, bare, platform: drift in background load hits both the same. */
async function alternate(platform: () => Promise<Run>, bare: () => Promise<Run>): Promise<[Run, Run]> {
  const p1 = await platform();
  const b1 = await bare();
  const b2 = await bare();
  const p2 = await platform();
  return [combine(p1, p2), combine(b1, b2)];
}

function postRun(base: string, pathname: string, headers: Record<string, string>): Promise<Run> {
  const tag = randomUUID().slice(0, 8);
  let n = 0;
  return cannon({
    url: base,
    duration: HALF,
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

  // Bare Fastify in its own process, same PostgreSQL and Redis, running alongside.
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

  // Short warm-up of both (JIT, connection pools).
  await cannon({ url: `${base}/v1/jobs/${one.snapshotId}`, headers: auth, duration: 1 });
  await cannon({ url: `${bareBase}/jobs/${created.id}`, duration: 1 });
  const [platformPost, barePost] = await alternate(
    () => postRun(base, '/v1/links', auth),
    () => postRun(bareBase, '/links', {}),
  );
  const [platformGet, bareGet] = await alternate(
    () => cannon({ url: `${base}/v1/jobs/${one.snapshotId}`, headers: auth, duration: HALF }),
    () => cannon({ url: `${bareBase}/jobs/${created.id}`, duration: HALF }),
  );
  await platform.close();
  await sleep(0);

  const result = {
    ...info,
    connections: CONNECTIONS,
    durationS: DURATION,
    schedule: 'platform, bare, bare, platform (halves of durationS each)',
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
