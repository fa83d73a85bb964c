/**
 * `npm start`: the whole platform in one command on embedded defaults. Starts what is not
 * configured (a private redis-server, the S3-compatible server; PGlite is opened by the API
 * itself when DATABASE_URL is unset), then the API with the UI in this process and one
 * snapshotter as a supervised child process. Ctrl-C / SIGTERM stops everything in order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, type Env, loadConfigOrExit, parseConfig } from '@linksnap/shared';
import { startApi } from '../server.js';
import { type EmbeddedRedis, startEmbeddedRedis } from './redis-server.js';
import { type EmbeddedS3, startEmbeddedS3 } from './s3-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SNAPSHOTTER_ENTRY = path.resolve(here, '../../../snapshotter/src/main.ts');

const initial = loadConfigOrExit();
const logger = createLogger(initial, 'platform');
mkdirSync(initial.DATA_DIR, { recursive: true });

const env: Env = { ...process.env, DATA_DIR: initial.DATA_DIR };
let redis: EmbeddedRedis | undefined;
let s3: EmbeddedS3 | undefined;
let snapshotter: ChildProcess | undefined;
let stopping = false;

async function main(): Promise<void> {
  if (!initial.REDIS_URL) {
    redis = await startEmbeddedRedis({ directory: path.join(initial.DATA_DIR, 'redis') });
    env.REDIS_URL = redis.url;
    logger.info({ url: redis.url }, 'started embedded redis-server');
  }
  if (!initial.S3_ENDPOINT) {
    s3 = await startEmbeddedS3({ directory: path.join(initial.DATA_DIR, 's3') });
    Object.assign(env, { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKey, S3_SECRET_KEY: s3.secretKey });
    logger.info({ endpoint: s3.endpoint }, 'started embedded S3-compatible server');
  }
  const config = parseConfig(env);
  const api = await startApi(config, { logger: logger.child({ service: 'api' }) });
  startSnapshotter(0);
  const archives = api.archiveUrl ? `\nArchived pages and replays are served from ${api.archiveUrl}` : '';
  process.stdout.write(`\nLinkSnap is running at ${api.url}${archives}\n\n`);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const snapshotterExit = stopSnapshotter();
    await api.close();
    await snapshotterExit;
    await s3?.close();
    await redis?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Runs one snapshotter child; restarts it with a growing delay if it dies on its own. */
function startSnapshotter(restarts: number): void {
  const child = spawn(process.execPath, ['--import', 'tsx', SNAPSHOTTER_ENTRY], {
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

function stopSnapshotter(): Promise<void> {
  const child = snapshotter;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

main().catch(async (err) => {
  logger.fatal({ err }, 'platform failed to start');
  stopping = true;
  snapshotter?.kill('SIGTERM');
  await s3?.close().catch(() => {});
  await redis?.close().catch(() => {});
  process.exit(1);
});
