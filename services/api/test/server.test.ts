import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { RESULTS_QUEUE, redisOptions, SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { Queue } from 'bullmq';
import { startTestS3, TEST_DATABASE_URL, testEnv } from '../../../test/support/services.js';
import { serviceArgs } from '../../../test/support/stack.js';
import { openDatabase } from '../src/db/database.js';
import type { EmbeddedS3 } from '../src/embedded/s3-server.js';

describe('server entry point', () => {
  let s3: EmbeddedS3;
  before(async () => {
    s3 = await startTestS3();
  });
  after(async () => {
    await s3.close();
  });

  it('logs its URL, serves requests and exits 0 on SIGTERM', async () => {
    const env = testEnv({ s3, extra: { LOG_LEVEL: 'info' } });
    const child = spawn(process.execPath, serviceArgs('api'), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk) => {
        buffered += chunk;
        for (const line of buffered.split('\n')) {
          try {
            const entry = JSON.parse(line);
            if (typeof entry.msg === 'string' && entry.msg.includes('listening') && entry.url) resolve(entry.url);
          } catch {}
        }
      });
      child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-request-id'));

    const exitCode = await new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
    assert.equal(exitCode, 0, stderr);

    for (const name of [SNAPSHOTS_QUEUE, RESULTS_QUEUE]) {
      const q = new Queue(name, { connection: redisOptions(env.REDIS_URL as string), prefix: env.QUEUE_PREFIX });
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
  });

  it('migrates safely when several processes start against the same database at once', async () => {
    const config = { DATABASE_URL: TEST_DATABASE_URL, DATA_DIR: '/tmp' };
    const dbs = await Promise.all([openDatabase(config), openDatabase(config), openDatabase(config)]);
    await Promise.all(dbs.map((d) => d.close()));
  });
});
