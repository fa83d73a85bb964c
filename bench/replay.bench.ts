/**
 * Replay fidelity and storage per snapshot, on the default `npm start` stack: the corpus pages
 * are captured through the API, the fixture server is closed, and each snapshot's WACZ is
 * replayed in Chromium by the viewer (ReplayWeb.page served by the archive listener). The
 * replayed page's first screen (1280×800, the capture viewport) is compared with the same
 * region of the capture's own screenshot by pixelmatch: similarity = 1 − changed pixels / all.
 * Every request the replay makes is counted; any that leaves the platform's two origins is
 * reported (the archive must stand alone). Bytes stored per artifact kind (median and p95) come
 * from the snapshots' artifact lists.
 * --quick: 6 pages.
 */
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import puppeteer, { type Browser, type Frame } from 'puppeteer-core';
import sharp from 'sharp';
import { CHROMIUM_ARGS } from '../services/snapshotter/src/chromium-flags.js';
import { startFixtureServer } from '../test/support/fixture-server.js';
import { leavingRequests, recordWorkerRequests, signedInPage } from '../test/support/replay-browser.js';
import { startDefaultStack } from './lib/default-stack.js';
import { waitFinal, warmUp } from './lib/platform.js';
import {
  conditions,
  corpusPages,
  deadline,
  main,
  median,
  onCleanup,
  percentile,
  QUICK,
  round,
  sleep,
  writeResult,
} from './lib/util.js';

const VIEWPORT = { width: 1280, height: 800 };
/** Where to write the two first screens of pages under the goal, to look at (optional). */
const SAVE_DIR = process.env.REPLAY_BENCH_SAVE_DIR;
const GOAL_SIMILARITY = 0.9;
const GOAL_SHARE = 0.9;
/** The sign-in of bench/lib/default-stack.ts. */
const BENCH_EMAIL = 'bench@example.test';

/** RGBA pixels of the top `VIEWPORT` of a PNG (padded with white where the image is shorter). */
async function firstScreen(png: Buffer): Promise<Buffer> {
  const image = sharp(png);
  const { width = 0, height = 0 } = await image.metadata();
  const w = Math.min(width, VIEWPORT.width);
  const h = Math.min(height, VIEWPORT.height);
  return image
    .extract({ left: 0, top: 0, width: w, height: h })
    .extend({
      right: VIEWPORT.width - w,
      bottom: VIEWPORT.height - h,
      background: { r: 255, g: 255, b: 255, alpha: 1 },
    })
    .ensureAlpha()
    .raw()
    .toBuffer();
}

/**
 * 1 − changed / all pixels (pixelmatch, threshold 0.1), and the stricter "ink" figure: changed
 * pixels over those that are not blank white in either image, since a mostly white page scores
 * high on the first against any other mostly white page.
 */
function similarity(a: Buffer, b: Buffer): { all: number; ink: number } {
  const changed = pixelmatch(a, b, undefined, VIEWPORT.width, VIEWPORT.height, { threshold: 0.1 });
  let ink = 0;
  const white = (img: Buffer, i: number) =>
    (img[i] as number) > 250 && (img[i + 1] as number) > 250 && (img[i + 2] as number) > 250;
  for (let i = 0; i < a.length; i += 4) if (!white(a, i) || !white(b, i)) ink++;
  return { all: 1 - changed / (VIEWPORT.width * VIEWPORT.height), ink: ink === 0 ? 1 : 1 - changed / ink };
}

/** The frame ReplayWeb.page shows the archived page in (…/mp_/<original URL>). */
async function replayFrame(page: import('puppeteer-core').Page, timeoutMs: number): Promise<Frame> {
  const deadlineAt = Date.now() + timeoutMs;
  while (Date.now() < deadlineAt) {
    const frame = page.frames().find((f) => /mp_\//.test(f.url()));
    if (frame) return frame;
    await sleep(200);
  }
  throw new Error('no replay frame');
}

interface Replayed {
  page: string;
  similarity: number | null;
  inkSimilarity?: number;
  error?: string;
}

/**
 * Opens the viewer's full-window replay of a snapshot at the capture's viewport size and
 * screenshots the replayed page's frame (ReplayWeb.page adds no chrome with embed="replayonly").
 */
async function replayScreen(browser: Browser, appUrl: string, snapshotId: string, requests: string[]): Promise<Buffer> {
  const viewer = await signedInPage(browser, appUrl, BENCH_EMAIL);
  try {
    viewer.on('request', (r) => requests.push(r.url()));
    await viewer.setViewport(VIEWPORT);
    await viewer.goto(`${appUrl}/snapshots/${snapshotId}/replay`, { waitUntil: 'load' });
    const frame = await replayFrame(viewer, 60_000);
    await frame.waitForFunction(() => document.readyState === 'complete', { timeout: 60_000 });
    await frame.evaluate(() => document.fonts.ready.then(() => undefined)).catch(() => undefined);
    await sleep(1_000);
    const element = await frame.frameElement();
    if (!element) throw new Error('the replay frame has no element');
    const box = await element.boundingBox();
    if (!box || Math.round(box.width) !== VIEWPORT.width) {
      throw new Error(`the replay frame is ${box?.width}×${box?.height}, not ${VIEWPORT.width} wide`);
    }
    return Buffer.from(await element.screenshot({ type: 'png' }));
  } finally {
    await viewer.close();
  }
}

await main(async () => {
  deadline(40 * 60_000, 'replay');
  const info = conditions();
  const pages = corpusPages().slice(0, QUICK ? 6 : undefined);
  const fixture = await startFixtureServer();
  let fixtureOpen = true;
  onCleanup(() => (fixtureOpen ? fixture.close() : undefined));
  const stack = await startDefaultStack(fixture);
  await warmUp({ ...stack, fixture }, 2, 300_000);

  const submitted = await Promise.all(pages.map((p) => stack.submit(fixture.url(`/corpus/${p}`))));
  const jobs = await Promise.all(submitted.map((s) => waitFinal(stack, s.snapshotId, 20 * 60_000, 500)));
  console.log(`replay: ${jobs.filter((j) => j.job.state === 'succeeded').length}/${pages.length} captured`);
  await fixture.close();
  fixtureOpen = false;

  const snapshots = await Promise.all(
    jobs.map(async ({ job }, i) => {
      const res = await stack.stack.request('GET', `/v1/snapshots/${job.id}`, { token: stack.token });
      return { page: pages[i] as string, snapshot: res.body };
    }),
  );

  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  onCleanup(() => browser.close());
  const requests: string[] = [];
  recordWorkerRequests(browser, requests);
  const replayed: Replayed[] = [];
  for (const { page, snapshot } of snapshots) {
    const hasWacz = snapshot.artifacts?.some((a: { kind: string }) => a.kind === 'wacz');
    if (!hasWacz) {
      replayed.push({ page, similarity: null, error: 'no wacz artifact' });
      continue;
    }
    try {
      const shot = await fetch(`${stack.baseUrl}/v1/snapshots/${snapshot.id}/artifacts/screenshot`, {
        headers: { authorization: `Bearer ${stack.token}` },
      });
      if (shot.status !== 200) throw new Error(`screenshot: HTTP ${shot.status}`);
      const captured = await firstScreen(Buffer.from(await shot.arrayBuffer()));
      const shown = await firstScreen(await replayScreen(browser, stack.baseUrl, snapshot.id, requests));
      const measured = similarity(captured, shown);
      const value = round(measured.all, 4) as number;
      const ink = round(Math.max(0, measured.ink), 4) as number;
      if (SAVE_DIR && Math.min(value, ink) < GOAL_SIMILARITY) {
        const raw = { raw: { ...VIEWPORT, channels: 4 as const } };
        await sharp(captured, raw)
          .png()
          .toFile(path.join(SAVE_DIR, `${page}.captured.png`));
        await sharp(shown, raw)
          .png()
          .toFile(path.join(SAVE_DIR, `${page}.replayed.png`));
      }
      replayed.push({ page, similarity: value, inkSimilarity: ink });
      console.log(`replay: ${value.toFixed(4)} (ink ${ink.toFixed(4)}) ${page}`);
    } catch (err) {
      replayed.push({ page, similarity: null, error: (err as Error).message.slice(0, 200) });
      console.log(`replay: FAILED ${page}: ${(err as Error).message.slice(0, 200)}`);
    }
  }
  await browser.close();

  const archiveOrigins = [
    ...new Set(requests.filter((u) => u.includes('/replay-player/')).map((u) => new URL(u).origin)),
  ];
  const leaving = leavingRequests(requests, [new URL(stack.baseUrl).origin, ...archiveOrigins]);
  const values = replayed.map((r) => r.similarity).filter((v): v is number => v !== null);
  const atGoal = values.filter((v) => v >= GOAL_SIMILARITY).length;
  const inks = replayed.map((r) => r.inkSimilarity).filter((v): v is number => v !== undefined);

  const byKind: Record<string, number[]> = {};
  const perSnapshot: number[] = [];
  for (const { snapshot } of snapshots) {
    let total = 0;
    for (const artifact of snapshot.artifacts ?? []) {
      byKind[artifact.kind] = [...(byKind[artifact.kind] ?? []), artifact.bytes];
      total += artifact.bytes;
    }
    perSnapshot.push(total);
  }
  const storage = Object.fromEntries(
    Object.entries(byKind)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, sizes]) => [kind, { count: sizes.length, median: median(sizes), p95: percentile(sizes, 0.95) }]),
  );
  await stack.close();

  const result = {
    ...info,
    pages: pages.length,
    captured: jobs.filter((j) => j.job.state === 'succeeded').length,
    withWacz: snapshots.filter(({ snapshot }) => snapshot.artifacts?.some((a: { kind: string }) => a.kind === 'wacz'))
      .length,
    replayed: values.length,
    similarity: { median: round(median(values), 4), min: round(Math.min(...values), 4) },
    inkSimilarity: { median: round(median(inks), 4), min: round(Math.min(...inks), 4) },
    shareAtGoal: round(atGoal / pages.length, 3),
    goal: { similarity: GOAL_SIMILARITY, share: GOAL_SHARE },
    requests: requests.length,
    leavingRequests: leaving,
    storage: {
      perSnapshot: { median: median(perSnapshot), p95: percentile(perSnapshot, 0.95) },
      byKind: storage,
    },
    byPage: replayed,
  };
  writeResult('replay', result);
  console.log(
    `replay (${pages.length} pages, fixture server closed): WACZ ${result.withWacz}/${pages.length}, ` +
      `similarity ≥ ${GOAL_SIMILARITY} on ${atGoal}/${pages.length} (${Math.round((atGoal / pages.length) * 100)} %, goal ≥ ${GOAL_SHARE * 100} %), ` +
      `median ${result.similarity.median} (ink: median ${result.inkSimilarity.median}, min ${result.inkSimilarity.min}); ${requests.length} requests, ${leaving.length} leaving the platform`,
  );
  console.log(
    `storage per snapshot: median ${result.storage.perSnapshot.median} B, p95 ${result.storage.perSnapshot.p95} B`,
  );
  for (const [kind, s] of Object.entries(storage))
    console.log(`  ${kind.padEnd(10)} median ${s.median} B  p95 ${s.p95} B`);
});
