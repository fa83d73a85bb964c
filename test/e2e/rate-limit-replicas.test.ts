/**
 * Rate limits hold across replicas (issue 15, point 5): two API processes on one Redis draw on
 * one budget, so N replicas do not allow N times the limit.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '@linksnap/api/embedded/redis-server';
import { waitFor } from '../support/faults.js';
import { Stack } from '../support/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LIMIT = 4;

let stack: Stack | undefined;
let second: ChildProcess | undefined;
after(async () => {
  second?.kill('SIGKILL');
  await stack?.close();
});

/** A second API process sharing the stack's Redis, queue prefix and database. */
async function startSecondApi(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  second = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services/api/src/server.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env, PORT: String(port) },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    'the second API',
    async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200,
    120_000,
  );
  return base;
}

test('two API processes on one Redis share one login budget per client IP', async () => {
  stack = await Stack.start({ snapshotters: 0, env: { LOGIN_RATE_LIMIT_PER_IP: String(LIMIT) } });
  const bases = [stack.baseUrl, await startSecondApi(stack.env)];
  const login = (base: string) =>
    fetch(`${base}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody-${randomUUID()}@example.test`, password: 'wrong password' }),
    });
  // Alternating between the replicas: in-process limits would allow 2 × LIMIT attempts.
  for (let i = 0; i < LIMIT; i++) assert.equal((await login(bases[i % 2] as string)).status, 401, `attempt ${i + 1}`);
  for (const base of bases) {
    const limited = await login(base);
    assert.equal(limited.status, 429, `${base} still allowed an attempt past the shared budget`);
    assert.ok(limited.headers.get('content-type')?.startsWith('application/problem+json'));
    assert.equal(((await limited.json()) as { code: string }).code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
  }
});
