/**
 * Capture throughput: the 46 corpus pages submitted through the API (full default artifact
 * set, default CAPTURE_CONCURRENCY, one snapshotter), pages/min from the first submit to the
 * last final state; against the bare puppeteer-core loop at the same concurrency.
 * --quick: 6 pages.
 */
import { parseConfig } from '../packages/shared/src/index.js';
import { BARE_STEP_TIMEOUT_MS, launchBare, runPool } from './lib/bare.js';
import { stageMedians, startPlatform, waitFinal, warmUp } from './lib/platform.js';
import { conditions, corpusPages, deadline, main, median, QUICK, round, writeResult } from './lib/util.js';

await main(async () => {
  deadline(9 * 60_000, 'capture');
  const info = conditions();
  const pages = corpusPages().slice(0, QUICK ? 6 : undefined);
  const concurrency = parseConfig({}).CAPTURE_CONCURRENCY;

  // Platform.
  const platform = await startPlatform({ workers: 1 });
  await warmUp(platform, concurrency);
  const t0 = Date.now();
  const submitted = await Promise.all(pages.map((p) => platform.submit(platform.fixture.url(`/corpus/${p}`))));
  const jobs = await Promise.all(submitted.map((s) => waitFinal(platform, s.snapshotId, 8 * 60_000, 250)));
  const platformSeconds = (Math.max(...jobs.map((j) => j.at)) - t0) / 1000;
  const states: Record<string, number> = {};
  for (const { job } of jobs) states[job.state] = (states[job.state] ?? 0) + 1;
  const perPage = jobs.map(({ job }) =>
    job.snapshot?.startedAt && job.snapshot?.finishedAt
      ? Date.parse(job.snapshot.finishedAt) - Date.parse(job.snapshot.startedAt)
      : Number.NaN,
  );
  const platformStages = stageMedians(jobs.map((j) => j.job));
  const slowest = jobs
    .map(({ job }, i) => ({
      page: pages[i],
      ms: perPage[i] as number,
      state: job.state,
      timings: job.snapshot?.timings,
    }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 5);
  await platform.close();

  // Bare baseline.
  const bare = await launchBare();
  const fixture = platform.fixture; // still listening (closed by the cleanup at exit)
  await bare.capture(fixture.url('/simple'), 'warm');
  const b0 = Date.now();
  const bareResults: { page: string; ok: boolean; ms: number; timings: Record<string, number>; error?: string }[] = [];
  await runPool(pages, concurrency, async (p, i) => {
    bareResults.push({ page: p, ...(await bare.capture(fixture.url(`/corpus/${p}`), `${i}`)) });
  });
  const bareSeconds = (Date.now() - b0) / 1000;
  const bareStages: Record<string, number> = {};
  for (const key of ['navigate', 'screenshot', 'pdf', 'mhtml', 'html'])
    bareStages[key] = median(bareResults.map((r) => r.timings[key]).filter((v): v is number => v !== undefined));
  await bare.close();

  const platformRate = (pages.length / platformSeconds) * 60;
  const bareRate = (pages.length / bareSeconds) * 60;
  const succeeded = states.succeeded ?? 0;
  const result = {
    ...info,
    pages: pages.length,
    concurrency,
    platform: {
      seconds: round(platformSeconds, 1),
      pagesPerMin: round(platformRate, 1),
      states,
      success: succeeded,
      medianCaptureMs: round(median(perPage), 0),
      stageMediansMs: platformStages,
      slowest,
    },
    baseline: {
      stepTimeoutMs: BARE_STEP_TIMEOUT_MS,
      seconds: round(bareSeconds, 1),
      pagesPerMin: round(bareRate, 1),
      success: bareResults.filter((r) => r.ok).length,
      failures: bareResults.filter((r) => !r.ok).map((r) => ({ page: r.page, error: r.error })),
      medianCaptureMs: round(median(bareResults.map((r) => r.ms)), 0),
      stageMediansMs: bareStages,
      slowest: [...bareResults]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((r) => ({ ...r, ms: Math.round(r.ms) })),
    },
    ratio: round(platformRate / bareRate, 2),
    goal: '>= 1.2',
  };
  writeResult('capture', result);
  console.log(
    `capture: platform ${result.platform.pagesPerMin} pages/min (${succeeded}/${pages.length} succeeded) vs bare ` +
      `${result.baseline.pagesPerMin} pages/min (${result.baseline.success}/${pages.length} ok) → ratio ${result.ratio} (goal ≥ 1.2)`,
  );
});
