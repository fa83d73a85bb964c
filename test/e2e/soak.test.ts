/**
 * Memory soak (issue #7, promise 12): 300 captures through the API and one snapshotter process
 * that recycles its browsers every 50 pages. The memory of the snapshotter's whole process tree
 * (Node + every Chromium process; its own memory, see treeMemory) must not grow without bound,
 * no zombie may appear, the browsers must really be recycled, and nothing may be left running
 * after the snapshotter stops. The 1,000-capture version is `bench/soak.bench.ts`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromiumPids, liveInGroups, processTree, restingTreeMemory, waitFor } from '../support/faults.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { Stack } from '../support/stack.js';

const CAPTURES = 300;
const RECYCLE_PAGES = 50;
const CONCURRENCY = 3;

describe('soak: 300 captures', () => {
  it('keeps the snapshotter tree memory bounded, recycles browsers, leaves no zombie or browser behind', async () => {
    const fixture = await startFixtureServer();
    fixture.route('/tiny', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><head><title>tiny</title></head><body><p>tiny page</p></body></html>');
    });
    const stack = await Stack.start({
      allow: [fixture.hostPort],
      env: {
        CAPTURE_CONCURRENCY: String(CONCURRENCY),
        BROWSER_RECYCLE_PAGES: String(RECYCLE_PAGES),
        LINK_SUBMIT_RATE_LIMIT: '1000',
      },
    });
    const worker = stack.snapshotters[0];
    assert.ok(worker?.child.pid);
    const pid = worker.child.pid;
    try {
      const user = await stack.user();
      const samples: { captures: number; ownMiB: number; pssMiB: number; rssMiB: number; processes: number }[] = [];
      const browsers = new Set<number>();
      const states: Record<string, number> = {};
      const unsucceeded: string[] = [];
      let zombies = 0;
      // The process tree is read once a second, not after every capture: each read opens
      // every /proc/<pid>/stat, and 300 of them cost the test process more than its polling.
      const sampleTree = () => {
        for (const browser of chromiumPids(pid)) browsers.add(browser);
        zombies = Math.max(zombies, processTree(pid).filter((p) => p.state === 'Z').length);
      };
      const sampler = setInterval(sampleTree, 1_000);
      // Phases of 100 captures, 2 × CONCURRENCY in flight; the tree is measured between phases,
      // at rest, so every sample is taken in the same state (one browser, 50 pages into it).
      for (let phase = 0; phase < CAPTURES / 100; phase++) {
        let next = phase * 100;
        const runOne = async () => {
          while (next < (phase + 1) * 100) {
            const i = next++;
            const id = await stack.submit(user.token, fixture.url(`/tiny?i=${i}`));
            const { job } = await stack.waitForJob(id, user.token, 120_000);
            states[job.state] = (states[job.state] ?? 0) + 1;
            if (job.state !== 'succeeded') {
              const logged = [stack.api, worker]
                .flatMap((p) => p?.output().split('\n') ?? [])
                .filter((l) => l.includes(id));
              unsucceeded.push(
                `#${i} ${job.state} after ${job.attempts} attempt(s): ${JSON.stringify(job.error)}\n${logged.join('\n')}`,
              );
            }
          }
        };
        await Promise.all(Array.from({ length: 2 * CONCURRENCY }, runOne));
        samples.push({ captures: (phase + 1) * 100, ...(await restingTreeMemory(pid)) });
      }
      clearInterval(sampler);
      sampleTree();

      console.log(
        `[soak] ${CAPTURES} captures: tree's own memory ${samples.map((s) => `${s.captures}: ${s.ownMiB} MiB`).join(', ')}` +
          ` (PSS ${samples.map((s) => s.pssMiB).join(' / ')}, RSS ${samples.map((s) => s.rssMiB).join(' / ')} MiB),` +
          ` ${browsers.size} browsers launched, max zombies ${zombies}`,
      );
      assert.deepEqual(states, { succeeded: CAPTURES }, `captures that did not succeed:\n${unsucceeded.join('\n')}`);
      const first = samples[0];
      const last = samples.at(-1);
      assert.ok(first && last && samples.length === 3, JSON.stringify(samples));
      // Own memory, not PSS: the tree's share of Chromium's binary grows as other tests' browsers
      // exit (see treeMemory).
      assert.ok(
        last.ownMiB <= first.ownMiB * 1.5,
        `the tree's own memory grew from ${first.ownMiB} to ${last.ownMiB} MiB`,
      );
      // Zombies are reaped within moments (a renderer's by its zygote once the browser asks, which
      // took over a second on a loaded machine); one that stays is a leak.
      const zombiesNow = () => processTree(pid).filter((p) => p.state === 'Z');
      await waitFor('zombies to be reaped', () => zombiesNow().length === 0, 15_000, 250).catch(() => undefined);
      assert.deepEqual(zombiesNow(), [], 'zombie processes after 15 s');
      assert.ok(
        browsers.size >= CAPTURES / RECYCLE_PAGES - 1,
        `browsers were recycled (${browsers.size} launched for ${CAPTURES} pages)`,
      );

      await worker.stop(15_000);
      assert.equal(worker.child.exitCode, 0);
      const left = liveInGroups([...browsers]).filter((p) => /chrom/i.test(p.comm));
      assert.deepEqual(left, [], 'no Chromium process outlives the snapshotter');
    } finally {
      await stack.close();
      await fixture.close();
    }
  });
});
