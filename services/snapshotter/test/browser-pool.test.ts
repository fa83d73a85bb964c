/**
 * The browser pool: a browser that dies mid-capture is reported as BROWSER_CRASHED and replaced,
 * one that cannot even be relaunched fails only that job, and no job sees the cookies or
 * storage of another.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { AppError, parseConfig } from '@linksnap/shared';
import { type FixtureServer, SIMPLE_PAGE_TITLE, startFixtureServer } from '../../../test/support/fixture-server.js';
import { type BrowserPool, launchBrowserPool } from '../src/browser-pool.js';

let fixture: FixtureServer;
let pool: BrowserPool;

before(async () => {
  fixture = await startFixtureServer();
  const config = parseConfig({ CAPTURE_CONCURRENCY: '1', CAPTURE_TIMEOUT_MS: '15000' });
  pool = await launchBrowserPool({ config, args: [] });
});
after(async () => {
  await pool?.close();
  await fixture?.close();
});

test('a browser killed mid-capture surfaces as BROWSER_CRASHED, and the next capture works', async () => {
  const [pid] = pool.pids();
  assert.ok(pid, 'a browser is running');
  await assert.rejects(
    pool.run(async (page) => {
      await page.goto(fixture.url('/simple'));
      process.kill(-pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      return page.title();
    }),
    (err: unknown) => err instanceof AppError && err.code === 'BROWSER_CRASHED',
  );
  const title = await pool.run(async (page) => {
    await page.goto(fixture.url('/simple'));
    return page.title();
  });
  assert.equal(title, SIMPLE_PAGE_TITLE);
  assert.ok(!pool.pids().includes(pid));
});

test('each capture starts without the cookies and storage an earlier capture left', async () => {
  // Twice over: the second job runs in a context opened ahead of time, the third in one opened
  // while the second was still running.
  for (let i = 0; i < 2; i++) {
    await pool.run(async (page) => {
      await page.goto(fixture.url('/simple'));
      await page.evaluate(() => {
        // biome-ignore lint/suspicious/noDocumentCookie: planted the way a page script would.
        document.cookie = 'left=behind; max-age=3600';
        localStorage.setItem('left', 'behind');
        sessionStorage.setItem('left', 'behind');
      });
    });
    const seen = await pool.run(async (page) => {
      await page.goto(fixture.url('/simple'));
      return page.evaluate(() => ({
        cookie: document.cookie,
        local: localStorage.getItem('left'),
        session: sessionStorage.getItem('left'),
      }));
    });
    assert.deepEqual(seen, { cookie: '', local: null, session: null });
  }
});

/** Writes an executable script atomically (a script being exec'd is never half-written). */
async function writeScript(file: string, text: string): Promise<void> {
  await writeFile(`${file}.new`, text, { mode: 0o755 });
  await rename(`${file}.new`, file);
}

test('a browser that cannot be relaunched fails that job as BROWSER_CRASHED; the pool recovers', {
  timeout: 90_000,
}, async () => {
  // Chromium behind a script we can swap: while it fails, every relaunch fails for real.
  const dir = await mkdtemp(path.join(tmpdir(), 'linksnap-chromium-'));
  const chromium = path.join(dir, 'chromium');
  const real = parseConfig({}).CHROMIUM_PATH;
  await writeScript(chromium, `#!/bin/sh\nexec '${real}' "$@"\n`);
  // puppeteer-cluster used to reject from a timer here ("Unable to restart chrome.", "Unable to
  // get browser page"): the snapshotter exited, and the job's promise never settled.
  const escaped: unknown[] = [];
  const onEscape = (err: unknown) => escaped.push(err);
  process.on('unhandledRejection', onEscape);
  const config = parseConfig({ CAPTURE_CONCURRENCY: '1', CAPTURE_TIMEOUT_MS: '15000', CHROMIUM_PATH: chromium });
  const flaky = await launchBrowserPool({ config, args: [] });
  try {
    const [pid] = flaky.pids();
    assert.ok(pid, 'a browser is running');
    await writeScript(chromium, '#!/bin/sh\necho "no browser today" >&2\nexit 1\n');
    process.kill(-pid, 'SIGKILL');
    while (flaky.pids().includes(pid)) await new Promise((r) => setTimeout(r, 20));
    await assert.rejects(
      flaky.run((page) => page.goto(fixture.url('/simple')).then(() => page.title())),
      (err: unknown) => err instanceof AppError && err.code === 'BROWSER_CRASHED' && err.retryable,
    );
    await writeScript(chromium, `#!/bin/sh\nexec '${real}' "$@"\n`);
    const title = await flaky.run(async (page) => {
      await page.goto(fixture.url('/simple'));
      return page.title();
    });
    assert.equal(title, SIMPLE_PAGE_TITLE);
    assert.deepEqual(escaped, []);
  } finally {
    process.off('unhandledRejection', onEscape);
    await flaky.close();
    await rm(dir, { recursive: true, force: true });
  }
});
