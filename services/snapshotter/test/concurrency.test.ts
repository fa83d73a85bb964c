/**
 * Adaptive capture concurrency: the AIMD arithmetic on explicit samples, the load sampler on
 * real measurements of this process and machine, and the controller steering a real BullMQ
 * worker (real Redis) within its bounds, or leaving a fixed CAPTURE_CONCURRENCY alone.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { after, test } from 'node:test';
import { parseConfig, redisOptions } from '@linksnap/shared';
import { type ConnectionOptions, Worker } from 'bullmq';
import { TEST_REDIS_URL, uniqueName } from '../../../test/support/services.js';
import { type AimdSettings, DEFAULT_AIMD, decide, type LoadSample } from '../src/concurrency/aimd.js';
import { createConcurrencyControl } from '../src/concurrency/controller.js';
import { startLoadSampler } from '../src/concurrency/load-sampler.js';

const GiB = 1024 ** 3;
const settings: AimdSettings = { ...DEFAULT_AIMD, min: 2, max: 6, contextBytes: 0.5 * GiB };
const calm: LoadSample = { cpuIdle: 0.5, lagMs: 10, availableBytes: 8 * GiB };

test('adds one page while CPU, event loop and memory have headroom and every slot is busy', () => {
  assert.deepEqual(decide(2, calm, true, settings), { next: 3, reason: 'headroom' });
  assert.deepEqual(decide(6, calm, true, settings), { next: 6, reason: 'bound' });
});

test('does not raise a limit the worker is not using', () => {
  assert.deepEqual(decide(3, calm, false, settings), { next: 3, reason: 'no-demand' });
});

test('halves under CPU, event-loop or memory pressure, never below the minimum', () => {
  assert.deepEqual(decide(6, { ...calm, cpuIdle: 0.01 }, true, settings), { next: 3, reason: 'cpu' });
  assert.deepEqual(decide(5, { ...calm, lagMs: 450 }, true, settings), { next: 2, reason: 'lag' });
  assert.deepEqual(decide(4, { ...calm, availableBytes: 0.2 * GiB }, true, settings), { next: 2, reason: 'memory' });
  assert.deepEqual(decide(2, { ...calm, cpuIdle: 0 }, true, settings), { next: 2, reason: 'bound' });
});

test('holds between the thresholds (some idle CPU, but not enough to add a page)', () => {
  assert.deepEqual(decide(3, { ...calm, cpuIdle: 0.1 }, true, settings), { next: 3, reason: 'steady' });
  // Memory for one more context but not for the one after it: no raise.
  assert.deepEqual(decide(3, { ...calm, availableBytes: 0.7 * GiB }, true, settings), { next: 3, reason: 'steady' });
});

test('the load sampler measures real event-loop lag, CPU idle and available memory', async () => {
  const sampler = startLoadSampler();
  try {
    await new Promise((r) => setTimeout(r, 100));
    sampler.sample();
    // Block this event loop for 400 ms, as a CPU-bound stage in the worker process would.
    const until = Date.now() + 400;
    while (Date.now() < until) {}
    await new Promise((r) => setTimeout(r, 100));
    const blocked = sampler.sample();
    assert.ok(blocked.lagMs >= 200, `lag after a 400 ms block: ${blocked.lagMs} ms`);
    assert.ok(blocked.cpuIdle >= 0 && blocked.cpuIdle <= 1, `cpu idle ${blocked.cpuIdle}`);
    assert.ok(blocked.availableBytes > 0 && blocked.availableBytes <= os.totalmem(), `${blocked.availableBytes}`);
    await new Promise((r) => setTimeout(r, 300));
    const quiet = sampler.sample();
    assert.ok(quiet.lagMs < blocked.lagMs, `lag once unblocked: ${quiet.lagMs} ms (blocked: ${blocked.lagMs})`);
  } finally {
    sampler.stop();
  }
});

const workers: Worker[] = [];
after(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
});

function idleWorker(concurrency: number): Worker {
  const worker = new Worker(uniqueName('concurrency'), async () => undefined, {
    connection: redisOptions(TEST_REDIS_URL) as ConnectionOptions,
    prefix: uniqueName('test').replace(/-/g, '_'),
    autorun: false,
    concurrency,
  });
  workers.push(worker);
  return worker;
}

test('steers a real BullMQ worker between CAPTURE_CONCURRENCY_MIN and _MAX', async () => {
  const config = parseConfig({ CAPTURE_CONCURRENCY_MIN: '2', CAPTURE_CONCURRENCY_MAX: '4' });
  const control = createConcurrencyControl(config);
  const worker = idleWorker(1);
  control.attach(worker);
  assert.equal(control.adaptive, true);
  assert.equal(control.max, 4);
  assert.equal(worker.concurrency, 2, 'starts at the minimum');

  // Two captures hold both slots: with headroom, the limit grows one page per step, up to 4.
  const release: (() => void)[] = [];
  const capture = control.track(() => new Promise<void>((resolve) => release.push(resolve)));
  const running = [capture(), capture()];
  control.step(calm);
  assert.equal(worker.concurrency, 3);
  running.push(capture());
  control.step(calm);
  running.push(capture());
  control.step(calm);
  assert.equal(worker.concurrency, 4, 'never above CAPTURE_CONCURRENCY_MAX');

  // The machine runs out of idle CPU: halved at once, to the minimum and no further.
  assert.equal(control.step({ ...calm, cpuIdle: 0 }).reason, 'cpu');
  assert.equal(worker.concurrency, 2);
  control.step({ ...calm, cpuIdle: 0 });
  assert.equal(worker.concurrency, 2);
  for (const done of release) done();
  await Promise.all(running);

  // The window in which they finished still had every slot busy; after it, nothing to do:
  // no raise without demand.
  assert.equal(control.step(calm).reason, 'headroom');
  assert.equal(control.step(calm).reason, 'no-demand');
  assert.equal(worker.concurrency, 3);
  control.stop();
});

test('a fixed CAPTURE_CONCURRENCY is applied as is and never adjusted', () => {
  const config = parseConfig({ CAPTURE_CONCURRENCY: '3' });
  const control = createConcurrencyControl(config);
  const worker = idleWorker(1);
  control.attach(worker);
  assert.equal(control.adaptive, false);
  assert.equal(control.max, 3);
  assert.equal(worker.concurrency, 3);
  assert.deepEqual(control.step({ ...calm, cpuIdle: 0 }), { next: 3, reason: 'fixed' });
  assert.equal(worker.concurrency, 3);
  control.stop();
});
