/**
 * Stopping always finishes (issue 15, point 1): the `npm start` supervisor (scripts/supervise.mjs,
 * what start.mjs runs after its bootstrap) with the platform and its snapshotter is stopped with
 * SIGTERM after one dependency died first — Redis, PostgreSQL, S3 or the browser — alternately
 * to the whole process group and to the supervisor alone. Every stop ends within 10 s with no
 * process left. Lightest realistic configuration: Redis, S3 and PostgreSQL are the test's own
 * (a private redis-server, an s3rver, a TCP proxy in front of PostgreSQL), so each can die and
 * come back between runs. STOP_TEST_RUNS sets the runs per order (CI default 2, one per target: each
 * run starts the whole stack, about 10 s on a quiet machine; set it to 20 for the full check).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type EmbeddedRedis, freePort, startEmbeddedRedis } from '@linksnap/api/embedded/redis-server';
import { redisOptions, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { type ConnectionOptions, Queue } from 'bullmq';
import {
  chromiumPids,
  killGroup,
  processTable,
  processTree,
  RestartableS3,
  sleep,
  TcpProxy,
  waitFor,
} from '../support/faults.js';
import { TEST_DATABASE_URL, tempDir, testEnv } from '../support/services.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env.STOP_TEST_RUNS ?? 2);
const STOP_LIMIT_MS = 10_000;

type Order = 'redis' | 'postgres' | 's3' | 'browser';

interface Deps {
  redis: EmbeddedRedis;
  redisDir: string;
  s3: RestartableS3;
  pg: TcpProxy;
}

interface Running {
  supervisor: ChildProcess;
  pids: Set<number>;
  snapshotterPid: number;
  output: () => string;
}

const stopTimes: Record<string, number[]> = {};
let deps: Deps;

before(async () => {
  const redisDir = tempDir('linksnap-stop-redis-');
  const redis = await startEmbeddedRedis({ directory: redisDir, port: await freePort() });
  const pgUrl = new URL(TEST_DATABASE_URL);
  deps = {
    redis,
    redisDir,
    s3: await RestartableS3.start(),
    pg: await TcpProxy.start(pgUrl.hostname, Number(pgUrl.port || 5432)),
  };
});

after(async () => {
  await Promise.allSettled([deps.redis.close(2_000), deps.s3.close(), deps.pg.close()]);
  for (const [order, times] of Object.entries(stopTimes)) {
    const sorted = [...times].sort((a, b) => a - b);
    process.stdout.write(
      `# stop after ${order} died: ${times.length} runs, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms\n`,
    );
  }
});

function envFor(): NodeJS.ProcessEnv {
  const pgUrl = new URL(TEST_DATABASE_URL);
  pgUrl.port = String(deps.pg.port);
  const env = testEnv({ s3: deps.s3, databaseUrl: pgUrl.href, extra: { SHUTDOWN_GRACE_MS: '5000' } });
  env.REDIS_URL = deps.redis.url;
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

/** Starts the supervisor in a process group of its own and waits for the snapshotter's worker. */
async function startStack(env: NodeJS.ProcessEnv): Promise<Running> {
  const supervisor = spawn(process.execPath, [path.join(root, 'scripts/supervise.mjs')], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  supervisor.stdout?.on('data', (c) => (output += c));
  supervisor.stderr?.on('data', (c) => (output += c));
  const queue = new Queue(SNAPSHOTS_QUEUE, {
    prefix: env.QUEUE_PREFIX,
    connection: redisOptions(deps.redis.url, { maxRetriesPerRequest: 1 }) as ConnectionOptions,
  });
  try {
    await waitFor('the snapshotter worker', async () => (await queue.getWorkers()).length > 0, 120_000, 200);
  } catch (err) {
    killGroup(supervisor.pid as number);
    throw new Error(`${(err as Error).message}\n${output}`);
  } finally {
    await queue.close();
  }
  const tree = processTree(supervisor.pid as number);
  const snapshotter = tree.find(
    (p) => p.comm.startsWith('node') && p.ppid !== supervisor.pid && p.pid !== supervisor.pid,
  );
  assert.ok(snapshotter, `no snapshotter process in ${JSON.stringify(tree)}`);
  await waitFor('chromium', () => chromiumPids(snapshotter.pid).length > 0, 30_000);
  return {
    supervisor,
    snapshotterPid: snapshotter.pid,
    pids: new Set(processTree(supervisor.pid as number).map((p) => p.pid)),
    output: () => output,
  };
}

async function killFirst(order: Order, stack: Running): Promise<void> {
  if (order === 'redis') deps.redis.process.kill('SIGKILL');
  if (order === 'postgres') await deps.pg.down();
  if (order === 's3') await deps.s3.stop();
  if (order === 'browser') for (const pid of chromiumPids(stack.snapshotterPid)) killGroup(pid);
  // Let the survivors notice (reconnect loops start, the browser pool sees its browser die).
  await sleep(500);
}

async function revive(order: Order): Promise<void> {
  if (order === 'redis') {
    deps.redis = await startEmbeddedRedis({ directory: deps.redisDir, port: deps.redis.port });
  }
  if (order === 'postgres') await deps.pg.up();
  if (order === 's3') await deps.s3.restart();
}

/** Live (non-zombie) processes among those the stack started. */
function survivors(stack: Running): string[] {
  return processTable()
    .filter((p) => stack.pids.has(p.pid) && p.state !== 'Z')
    .map((p) => `${p.pid} ${p.comm}`);
}

async function stopOnce(order: Order, target: 'group' | 'supervisor'): Promise<number> {
  const stack = await startStack(envFor());
  await killFirst(order, stack);
  const started = Date.now();
  const pid = stack.supervisor.pid as number;
  process.kill(target === 'group' ? -pid : pid, 'SIGTERM');
  try {
    await waitFor('every process to exit', () => survivors(stack).length === 0, 20_000, 50);
  } catch {
    const left = survivors(stack);
    for (const p of stack.pids) killGroup(p);
    assert.fail(`left after 20 s: ${left.join(', ')}\n${stack.output().slice(-3000)}`);
  }
  const took = Date.now() - started;
  assert.ok(
    took < STOP_LIMIT_MS,
    `stop took ${took} ms after ${order} died (${target})\n${stack.output().slice(-3000)}`,
  );
  await revive(order);
  return took;
}

describe('a stop finishes within 10 s whatever died first', () => {
  for (const order of ['redis', 'postgres', 's3', 'browser'] as Order[]) {
    test(`${RUNS} stops in a row after ${order} died, to the group and to the supervisor alone`, async () => {
      stopTimes[order] = [];
      for (let run = 0; run < RUNS; run++) {
        stopTimes[order].push(await stopOnce(order, run % 2 === 0 ? 'group' : 'supervisor'));
      }
    });
  }
});

describe('a capture running at the stop', () => {
  test('goes back to the wait list once the grace period is over', async () => {
    // A page that never finishes loading keeps its capture running past the grace period.
    const hanging = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    const env: NodeJS.ProcessEnv = { ...envFor(), EGRESS_ALLOW: `127.0.0.1:${port}`, SHUTDOWN_GRACE_MS: '1000' };
    const stack = await startStack(env);
    const queue = new Queue(SNAPSHOTS_QUEUE, {
      prefix: env.QUEUE_PREFIX,
      connection: redisOptions(deps.redis.url) as ConnectionOptions,
    });
    try {
      const id = crypto.randomUUID();
      await queue.add(
        id,
        {
          snapshotId: id,
          linkId: crypto.randomUUID(),
          userId: crypto.randomUUID(),
          url: `http://127.0.0.1:${port}/slow`,
          requestedAt: new Date().toISOString(),
        },
        { jobId: id, attempts: 3 },
      );
      await waitFor('the capture to start', async () => (await queue.getJobState(id)) === 'active', 30_000);
      process.kill(-(stack.supervisor.pid as number), 'SIGTERM');
      await waitFor('every process to exit', () => survivors(stack).length === 0, 15_000, 50);
      assert.equal(await queue.getJobState(id), 'waiting');
      const job = await queue.getJob(id);
      assert.equal(job?.attemptsMade, 0, 'a handed-back capture does not use up an attempt');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });
});
