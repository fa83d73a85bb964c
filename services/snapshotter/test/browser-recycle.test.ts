/**
 * Browser recycling bounds memory: after BROWSER_RECYCLE_PAGES pages the pool waits for the
 * in-flight captures, closes its browsers and relaunches them; no capture is lost meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseConfig } from '@linksnap/shared';
import { type FixtureServer, SIMPLE_PAGE_TITLE, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type BrowserPool, launchBrowserPool } from '../src/browser-pool.js';

let fixture: FixtureServer;
let pool: BrowserPool;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

before(async () => {
  fixture = await startFixtureServer();
  const config = parseConfig({ CAPTURE_CONCURRENCY: '2', CAPTURE_TIMEOUT_MS: '15000', BROWSER_RECYCLE_PAGES: '3' });
  pool = await launchBrowserPool({ config, args: [] });
});
after(async () => {
  await pool?.close();
  await fixture?.close();
});

test('relaunches the browsers every BROWSER_RECYCLE_PAGES pages without losing in-flight captures', async () => {
  const seen = new Set<number>(pool.pids());
  const titles = await Promise.all(
    Array.from({ length: 8 }, (_, i) =>
      pool.run(async (page) => {
        for (const pid of pool.pids()) seen.add(pid);
        await page.goto(fixture.url(`/simple?i=${i}`));
        await new Promise((r) => setTimeout(r, 100));
        return page.title();
      }),
    ),
  );
  assert.deepEqual(titles, Array(8).fill(SIMPLE_PAGE_TITLE));
  assert.ok(pool.recycles() >= 2, `recycled ${pool.recycles()} times`);
  const current = pool.pids();
  assert.equal(current.length, 1);
  const retired = [...seen].filter((pid) => !current.includes(pid));
  assert.ok(retired.length >= 2, `retired browsers: ${retired.join(',')}`);
  assert.deepEqual(retired.filter(alive), [], 'retired browsers are gone');
});
