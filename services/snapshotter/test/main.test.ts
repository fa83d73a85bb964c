/**
 * The snapshotter process: SIGTERM stops it cleanly (exit 0) and no Chromium it started
 * survives it. Chromium runs in its own process group, so this is not automatic.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RESULTS_QUEUE, redisOptions, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { type ConnectionOptions, Queue } from 'bullmq';
import { startTestS3, testEnv } from '../../../test/support/services.js';
import { serviceArgs } from '../../../test/support/stack.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** Every live process below `root` in the process tree, with its command name. */
function descendants(root: number): { pid: number; comm: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, ...comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm: comm.join(' ') }));
  const found: { pid: number; comm: string }[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const row of rows) {
      if (row.ppid === parent) {
        found.push({ pid: row.pid, comm: row.comm });
        frontier.push(row.pid);
      }
    }
  }
  return found;
}

/** Running (zombies awaiting their reaper do not count: they hold no resources). */
function alive(pid: number): boolean {
  try {
    const stat = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return stat !== '' && !stat.startsWith('Z');
  } catch {
    return false;
  }
}

let child: ChildProcess | undefined;
const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

test('SIGTERM stops the snapshotter with exit 0 and leaves no Chromium behind', async () => {
  const s3 = await startTestS3();
  cleanups.push(() => s3.close());
  const env = testEnv({ s3, databaseUrl: null, extra: { LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '5000' } });
  const connection = redisOptions(env.REDIS_URL as string) as ConnectionOptions;
  for (const name of [SNAPSHOTS_QUEUE, RESULTS_QUEUE]) {
    cleanups.push(async () => {
      const queue = new Queue(name, { prefix: env.QUEUE_PREFIX, connection });
      await queue.obliterate({ force: true });
      await queue.close();
    });
  }

  child = spawn(process.execPath, serviceArgs('snapshotter'), {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  const pid = child.pid as number;

  // Start-up only has to happen: on a loaded CI machine it has taken over 20 s.
  const deadline = Date.now() + 45_000;
  while (!output.includes('snapshotter ready')) {
    assert.ok(Date.now() < deadline, `snapshotter did not start:\n${output}`);
    assert.equal(child.exitCode, null, `snapshotter exited early:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const browsers = descendants(pid).filter((p) => /chrom/i.test(p.comm));
  assert.ok(browsers.length > 0, 'Chromium runs below the snapshotter');

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, null, output);
  assert.equal(code, 0, output);

  // Orphans would be re-parented, so check the pids we saw rather than the tree.
  let survivors = browsers.filter((p) => alive(p.pid));
  for (let i = 0; i < 20 && survivors.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    survivors = survivors.filter((p) => alive(p.pid));
  }
  assert.deepEqual(survivors, [], 'no Chromium process outlives the snapshotter');
});
