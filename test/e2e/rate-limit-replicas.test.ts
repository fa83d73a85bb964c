/**
 * Rate limits hold across replicas (issue 15, point 5): two API processes on one Redis draw on
 * one budget, so N replicas do not allow N times the limit.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { Stack } from '../support/stack.js';

const LIMIT = 4;

let stack: Stack | undefined;
after(async () => {
  await stack?.close();
});

test('two API processes on one Redis share one login budget per client IP', async () => {
  stack = await Stack.start({ snapshotters: 0, env: { LOGIN_RATE_LIMIT_PER_IP: String(LIMIT) } });
  // A second API process sharing the stack's Redis, queue prefix and database.
  const bases = [stack.baseUrl, (await stack.startReplica()).baseUrl];
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
