/**
 * `npm start`: the whole platform in one command on embedded defaults. Starts what is not
 * configured (a private redis-server, the S3-compatible server; PGlite is opened by the API
 * itself when DATABASE_URL is unset), then the API with the UI in this process and one
 * snapshotter as a supervised child process. Ctrl-C / SIGTERM stops everything in order, within
 * 10 s whatever died first; a second Ctrl-C stops at once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bounded, createLogger, type Env, handleStopSignals, loadConfigOrExit, parseConfig } from '@linksnap/shared';
import { type RunningApi, startApi } from '../main.js';
import { type EmbeddedRedis, startEmbeddedRedis, stopChild } from './redis-server.js';
import { type EmbeddedS3, startEmbeddedS3 } from './s3-server.js';

/**
 * The snapshotter runs in the form this process runs in: compiled (dist/, `npm start`) with the
 * workspace packages' compiled exports, or from source through tsx (tests, development).
 */
const compiled = import.meta.url.endsWith('.js');
const SNAPSHOTTER_COMMAND = compiled
  ? ['--conditions=production', fileURLToPath(new URL('../../../snapshotter/dist/main.js', import.meta.url))]
  : ['--import', 'tsx', fileURLToPath(new URL('../../../snapshotter/src/main.ts', import.meta.url))];

const initial = loadConfigOrExit();
const logger = createLogger(initial, 'platform');
mkdirSync(initial.DATA_DIR, { recursive: true });

const env: Env = { ...process.env, DATA_DIR: initial.DATA_DIR };
let redis: EmbeddedRedis | undefined;
let s3: EmbeddedS3 | undefined;
let snapshotter: ChildProcess | undefined;
let redisProcess: ChildProcess | undefined;
let api: RunningApi | undefined;
let stopping = false;

async function main(): Promise<void> {
  if (!initial.REDIS_URL) {
    redis = await startEmbeddedRedis({
      directory: path.join(initial.DATA_DIR, 'redis'),
      onSpawn: (child) => {
        redisProcess = child;
      },
    });
    env.REDIS_URL = redis.url;
    logger.info({ url: redis.url }, 'started embedded redis-server');
  }
  if (!initial.S3_ENDPOINT) {
    s3 = await startEmbeddedS3({ directory: path.join(initial.DATA_DIR, 's3') });
    Object.assign(env, { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKey, S3_SECRET_KEY: s3.secretKey });
    logger.info({ endpoint: s3.endpoint }, 'started embedded S3-compatible server');
  }
  const config = parseConfig(env);
  api = await startApi(config, { logger: logger.child({ service: 'api' }) });
  if (stopping) return;
  startSnapshotter(0);
  const archives = api.archiveUrl ? `\nArchived pages and replays are served from ${api.archiveUrl}` : '';
  process.stdout.write(`\nLinkSnap is running at ${api.url}${archives}\n\n`);
}

/** The stop budget of `npm start` (docker stop's default is 10 s) and its children's shares. */
const PLATFORM_STOP_BUDGET_MS = 9_500;
const SNAPSHOTTER_STOP_MS = 8_000;
const REDIS_STOP_MS = 1_000;
const STARTUP_WAIT_MS = 3_000;

/** Last resort on any forced exit: nothing this process started outlives it. */
function killChildren(): void {
  for (const child of [snapshotter, redisProcess]) {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Runs one snapshotter child; restarts it with a growing delay if it dies on its own. */
function startSnapshotter(restarts: number): void {
  const child = spawn(process.execPath, SNAPSHOTTER_COMMAND, {
    env: env as NodeJS.ProcessEnv,
    stdio: 'inherit',
  });
  snapshotter = child;
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const delay = Math.min(1000 * 2 ** restarts, 30_000);
    logger.error({ code, signal, delay }, 'snapshotter exited; restarting');
    setTimeout(() => startSnapshotter(restarts + 1), delay).unref();
  });
}

/** Lets start-up finish (bounded), then stops the snapshotter and the API side by side, then Redis and S3. */
async function stop(): Promise<void> {
  stopping = true;
  await bounded('start-up', () => started, STARTUP_WAIT_MS, logger);
  const snapshotterExit = snapshotter ? stopChild(snapshotter, SNAPSHOTTER_STOP_MS) : Promise.resolve();
  await api?.close();
  await snapshotterExit;
  await bounded('embedded s3', async () => s3?.close(), 1_000, logger);
  if (redisProcess) await stopChild(redisProcess, REDIS_STOP_MS);
}

process.on('exit', killChildren);
// Registered before start-up: a stop may come at any moment, and Node's default would leave
// redis-server and the snapshotter behind.
handleStopSignals(stop, { logger, budgetMs: PLATFORM_STOP_BUDGET_MS, onForce: killChildren });

const started = main().catch(async (err) => {
  logger.fatal({ err }, 'platform failed to start');
  stopping = true;
  snapshotter?.kill('SIGTERM');
  await s3?.close().catch(() => {});
  await redis?.close().catch(() => {});
  process.exit(1);
});
