/**
 * Scale-out: the same 40 small pages (/scale/<run>/<i>, the /simple article) through the API,
 * first with 1 snapshotter process, then with 2 on the same queue (default
 * CAPTURE_CONCURRENCY each). Throughput of each, and no duplicate capture: every snapshot
 * attempts = 1, the fixture served each page exactly once, and the snapshot's objects in S3
 * are exactly the artifacts of its one result. --quick: 8 pages.
 */
import { simplePage } from '../test/support/fixture-server.js';
import { type Platform, startPlatform, waitFinal, warmUp } from './lib/platform.js';
import { conditions, deadline, main, median, QUICK, round, writeResult } from './lib/util.js';

const PAGES = QUICK ? 8 : 40;

async function runWith(workers: number) {
  const platform: Platform = await startPlatform({ workers });
  const run = `w${workers}`;
  for (let i = 0; i < PAGES; i++) {
    platform.fixture.route(`/scale/${run}/${i}`, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(simplePage(`Scale page ${i}`, `Page number ${i} of the scale-out run`));
    });
  }
  await warmUp(platform, 2 * workers);
  const t0 = Date.now();
  const submitted = await Promise.all(
    Array.from({ length: PAGES }, (_, i) => platform.submit(platform.fixture.url(`/scale/${run}/${i}`))),
  );
  const jobs = await Promise.all(submitted.map((s) => waitFinal(platform, s.snapshotId, 8 * 60_000, 200)));
  const seconds = (Math.max(...jobs.map((j) => j.at)) - t0) / 1000;
  const states: Record<string, number> = {};
  for (const { job } of jobs) states[job.state] = (states[job.state] ?? 0) + 1;
  // Duplicate checks.
  const attemptsOver1 = jobs.filter(({ job }) => (job.attempts ?? job.snapshot?.attempts) !== 1).length;
  const servedMoreThanOnce = Array.from(
    { length: PAGES },
    (_, i) => platform.fixture.hits.get(`/scale/${run}/${i}`) ?? 0,
  )
    .map((n, i) => ({ i, n }))
    .filter((x) => x.n !== 1);
  let objectMismatches = 0;
  // Content-addressed (ADR 0017): every artifact a row lists is an object under its own key.
  for (const { job } of jobs) {
    const artifacts: { key: string }[] = job.snapshot?.artifacts ?? [];
    const found = await Promise.all(artifacts.map((a) => platform.stack.storage.exists(a.key)));
    if (found.includes(false)) objectMismatches++;
  }
  const captureMs = jobs.map(({ job }) => Date.parse(job.snapshot.finishedAt) - Date.parse(job.snapshot.startedAt));
  await platform.close();
  return {
    workers,
    seconds: round(seconds, 1),
    pagesPerMin: round((PAGES / seconds) * 60, 1),
    states,
    medianCaptureMs: round(median(captureMs), 0),
    duplicates: { attemptsOver1, servedMoreThanOnce: servedMoreThanOnce.length, objectMismatches },
  };
}

await main(async () => {
  deadline(9 * 60_000, 'scale');
  const info = conditions();
  const one = await runWith(1);
  const two = await runWith(2);
  const duplicates =
    one.duplicates.attemptsOver1 +
    one.duplicates.servedMoreThanOnce +
    one.duplicates.objectMismatches +
    two.duplicates.attemptsOver1 +
    two.duplicates.servedMoreThanOnce +
    two.duplicates.objectMismatches;
  const result = {
    ...info,
    pages: PAGES,
    one,
    two,
    speedup: round((two.pagesPerMin as number) / (one.pagesPerMin as number), 2),
    duplicates,
  };
  writeResult('scale', result);
  console.log(
    `scale: 1 snapshotter ${one.pagesPerMin} pages/min, 2 snapshotters ${two.pagesPerMin} pages/min → ×${result.speedup}; ` +
      `duplicate captures: ${duplicates}`,
  );
});
