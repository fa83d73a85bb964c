/**
 * Capture throughput: the 46 corpus pages submitted at once through the API (full default
 * artifact set, default CAPTURE_CONCURRENCY, one snapshotter), pages/min from the first submit
 * to the last final state, on two platforms against one bare puppeteer-core loop at the same
 * concurrency, all in the same run: the default stack (`npm start`'s embedded defaults,
 * bench/lib/default-stack.ts), then the bare loop, then the tuned bench stack (system
 * PostgreSQL and Redis, bench/lib/platform.ts). The machine's CPU busy share (/proc/stat) is
 * recorded during each, and the CPU seconds of each kind of process (Chromium's browser,
 * renderers, GPU and utility processes; the API, the snapshotter; PostgreSQL, Redis).
 * Also recorded: bytes stored per snapshot (median, p95, median per artifact kind) against the
 * bare loop's own files (full-page PNG, PDF, MHTML, HTML), and how many pages finished within
 * 20 s. The platforms run with their defaults: WebP screenshots, ads and trackers blocked,
 * consent dialogs handled.
 * --quick: 6 pages. --stacks=default or --stacks=tuned: only that platform (and the bare loop).
 */
import { startFixtureServer } from '../test/support/fixture-server.js';
import { BARE_STEP_TIMEOUT_MS, launchBare, runPool } from './lib/bare.js';
import { startDefaultStack } from './lib/default-stack.js';
import { type Client, stageMedians, startPlatform, waitFinal, warmUp } from './lib/platform.js';
import {
  busyShare,
  conditions,
  corpusPages,
  cpuTimes,
  deadline,
  main,
  median,
  onCleanup,
  percentile,
  QUICK,
  round,
  sleep,
  watchProcessCpu,
  writeResult,
} from './lib/util.js';

const stacksArg = process.argv.find((a) => a.startsWith('--stacks='))?.slice('--stacks='.length);
const STACKS = new Set((stacksArg ?? 'default,tuned').split(','));
const BARE_CONCURRENCY = 2;
/**
 * How often each job's state is read: the web UI's own interval (services/api/web/src/jobs.ts),
 * so the platform serves what a person adding these links would cause (at 250 ms the bench's
 * 46 pollers sent about 180 requests a second, 2.8 times the UI's).
 */
const UI_POLL_MS = 700;

/** Polls the snapshotter's capture-concurrency gauge while `work` runs: the values it took. */
async function watchConcurrency<T>(
  metricsUrl: string | undefined,
  work: Promise<T>,
): Promise<{ value: T; seen: number[] }> {
  const seen: number[] = [];
  let done = false;
  const poll = (async () => {
    while (metricsUrl && !done) {
      const text = await fetch(metricsUrl).then(
        (r) => r.text(),
        () => '',
      );
      const value = /^linksnap_capture_concurrency\{[^}]*\} (\d+)/m.exec(text)?.[1];
      if (value !== undefined && seen.at(-1) !== Number(value)) seen.push(Number(value));
      await sleep(1000);
    }
  })();
  try {
    return { value: await work, seen };
  } finally {
    done = true;
    await poll;
  }
}

/** Submits every page at once and waits for all of them: the platform's figures. */
async function measurePlatform(client: Client, pages: string[], url: (page: string) => string) {
  const cpu0 = cpuTimes();
  const t0 = Date.now();
  const {
    value: jobs,
    cpuSeconds,
    nodeThreadSeconds,
  } = await watchProcessCpu(
    (async () => {
      const submitted = await Promise.all(pages.map((p) => client.submit(url(p))));
      return Promise.all(submitted.map((s) => waitFinal(client, s.snapshotId, 12 * 60_000, UI_POLL_MS)));
    })(),
  );
  const seconds = (Math.max(...jobs.map((j) => j.at)) - t0) / 1000;
  const cpuBusy = busyShare(cpu0);
  const states: Record<string, number> = {};
  for (const { job } of jobs) states[job.state] = (states[job.state] ?? 0) + 1;
  const perPage = jobs.map(({ job }) =>
    job.snapshot?.startedAt && job.snapshot?.finishedAt
      ? Date.parse(job.snapshot.finishedAt) - Date.parse(job.snapshot.startedAt)
      : Number.NaN,
  );
  const bytes = jobs.map(({ job }) =>
    ((job.snapshot?.artifacts ?? []) as { bytes: number }[]).reduce((sum, a) => sum + a.bytes, 0),
  );
  const kindBytes: Record<string, number[]> = {};
  for (const { job } of jobs)
    for (const a of (job.snapshot?.artifacts ?? []) as { kind: string; bytes: number }[]) {
      kindBytes[a.kind] ??= [];
      kindBytes[a.kind]?.push(a.bytes);
    }
  const byPage = jobs.map(({ job }, i) => ({
    page: pages[i] as string,
    ms: perPage[i] as number,
    state: job.state as string,
    title: job.snapshot?.title as string | undefined,
    timings: job.snapshot?.timings,
  }));
  return {
    seconds: round(seconds, 1),
    pagesPerMin: round((pages.length / seconds) * 60, 1),
    cpuBusy,
    cpuSeconds,
    nodeThreadSeconds,
    states,
    success: states.succeeded ?? 0,
    notSucceeded: byPage.filter((p) => p.state !== 'succeeded').map((p) => p.page),
    medianCaptureMs: round(median(perPage), 0),
    within20s: perPage.filter((ms) => ms <= 20_000).length,
    bytesPerSnapshot: bytesFigures(bytes),
    bytesMedianByKind: Object.fromEntries(Object.entries(kindBytes).map(([k, v]) => [k, Math.round(median(v))])),
    stageMediansMs: stageMedians(jobs.map((j) => j.job)),
    slowest: [...byPage].sort((a, b) => b.ms - a.ms).slice(0, 5),
  };
}

/** Median and p95 of bytes per snapshot, and whether the median meets the 1 MB goal. */
function bytesFigures(bytes: number[]) {
  const mb = (n: number) => round(n / 1_000_000, 2);
  const medianBytes = median(bytes);
  return { medianMB: mb(medianBytes), p95MB: mb(percentile(bytes, 95)), goalMedianAtMost1MB: medianBytes <= 1_000_000 };
}

await main(async () => {
  deadline(28 * 60_000, 'capture');
  const info = conditions();
  const pages = corpusPages().slice(0, QUICK ? 6 : undefined);
  // The bare loop runs 2 pages at once (the old fixed default); the platforms run their
  // defaults (adaptive unless CAPTURE_CONCURRENCY is set), warmed up with as many pages.
  const concurrency = BARE_CONCURRENCY;
  const fixture = await startFixtureServer();
  onCleanup(() => fixture.close());
  const corpusUrl = (p: string) => fixture.url(`/corpus/${p}`);

  // 1. The default stack, as `npm start` runs it.
  let defaultStack: (Awaited<ReturnType<typeof measurePlatform>> & { concurrencySeen: number[] }) | null = null;
  if (STACKS.has('default')) {
    const stack = await startDefaultStack(fixture);
    // The first start bootstraps and launches Chromium: minutes on a loaded machine.
    await warmUp({ ...stack, fixture }, concurrency, 300_000).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- npm start output:\n${stack.output().slice(-6000)}`);
    });
    const measured = await watchConcurrency(stack.metricsUrl, measurePlatform(stack, pages, corpusUrl));
    defaultStack = { ...measured.value, concurrencySeen: measured.seen };
    await stack.close();
    writeResult('capture-default-partial', { ...info, pages: pages.length, defaultStack });
    console.log(`capture: default stack ${defaultStack.pagesPerMin} pages/min, CPU busy ${defaultStack.cpuBusy}`);
    console.log(`  CPU seconds: ${JSON.stringify(defaultStack.cpuSeconds)}`);
    console.log(`  Node threads: ${JSON.stringify(defaultStack.nodeThreadSeconds)}`);
  }

  // 2. The bare loop, between the two platforms so that both sit next to it in time.
  const bare = await launchBare();
  await bare.capture(fixture.url('/simple'), 'warm');
  const cpu0 = cpuTimes();
  const b0 = Date.now();
  const bareResults: {
    page: string;
    ok: boolean;
    ms: number;
    timings: Record<string, number>;
    bytes?: number;
    error?: string;
  }[] = [];
  const { cpuSeconds: bareCpuSeconds } = await watchProcessCpu(
    runPool(pages, concurrency, async (p, i) => {
      bareResults.push({ page: p, ...(await bare.capture(corpusUrl(p), `${i}`)) });
    }),
  );
  const bareSeconds = (Date.now() - b0) / 1000;
  const bareBusy = busyShare(cpu0);
  const bareStages: Record<string, number> = {};
  for (const key of ['navigate', 'screenshot', 'pdf', 'mhtml', 'html'])
    bareStages[key] = median(bareResults.map((r) => r.timings[key]).filter((v): v is number => v !== undefined));
  await bare.close();
  const bareRate = (pages.length / bareSeconds) * 60;
  console.log(`capture: bare loop ${round(bareRate, 1)} pages/min, CPU busy ${bareBusy}`);
  console.log(`  CPU seconds: ${JSON.stringify(bareCpuSeconds)}`);

  // 3. The tuned bench stack.
  let tuned: Awaited<ReturnType<typeof measurePlatform>> | null = null;
  if (STACKS.has('tuned')) {
    const platform = await startPlatform({ workers: 1, fixture });
    await warmUp(platform, concurrency);
    tuned = await measurePlatform(platform, pages, corpusUrl);
    await platform.close();
    console.log(`capture: tuned stack ${tuned.pagesPerMin} pages/min, CPU busy ${tuned.cpuBusy}`);
  }

  const ratio = (p: { pagesPerMin: number | null } | null) =>
    p?.pagesPerMin ? round(p.pagesPerMin / bareRate, 2) : null;
  const result = {
    ...info,
    pages: pages.length,
    concurrency,
    /** The tuned bench stack (system PostgreSQL and Redis). */
    platform: tuned,
    /** `npm start`'s embedded defaults. */
    defaultStack,
    baseline: {
      stepTimeoutMs: BARE_STEP_TIMEOUT_MS,
      seconds: round(bareSeconds, 1),
      pagesPerMin: round(bareRate, 1),
      cpuBusy: bareBusy,
      cpuSeconds: bareCpuSeconds,
      success: bareResults.filter((r) => r.ok).length,
      failures: bareResults.filter((r) => !r.ok).map((r) => ({ page: r.page, error: r.error })),
      medianCaptureMs: round(median(bareResults.map((r) => r.ms)), 0),
      within20s: bareResults.filter((r) => r.ok && r.ms <= 20_000).length,
      bytesPerSnapshot: bytesFigures(bareResults.flatMap((r) => (r.bytes === undefined ? [] : [r.bytes]))),
      stageMediansMs: bareStages,
      slowest: [...bareResults]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 5)
        .map((r) => ({ ...r, ms: Math.round(r.ms) })),
    },
    ratio: ratio(tuned),
    defaultRatio: ratio(defaultStack),
    goal: 'tuned >= 1.2, default >= 1.5',
  };
  writeResult('capture', result);
  const line = (name: string, p: (NonNullable<typeof tuned> & { concurrencySeen?: number[] }) | null) =>
    p
      ? `  ${name.padEnd(14)} ${String(p.pagesPerMin).padStart(6)} pages/min  ${p.success}/${pages.length} succeeded  ` +
        `ratio ${ratio(p)}  ${p.within20s} within 20 s  ${p.bytesPerSnapshot.medianMB} MB median/snapshot ` +
        `(p95 ${p.bytesPerSnapshot.p95MB})  CPU busy ${p.cpuBusy}${p.concurrencySeen ? `  concurrency ${p.concurrencySeen.join('→')}` : ''}`
      : `  ${name.padEnd(14)} (not run)`;
  console.log(
    [
      `capture (${pages.length} pages, concurrency ${concurrency}, load ${info.loadAverageAtStart[0]}):`,
      line('default stack', defaultStack),
      line('tuned stack', tuned),
      `  ${'bare loop'.padEnd(14)} ${String(result.baseline.pagesPerMin).padStart(6)} pages/min  ` +
        `${result.baseline.success}/${pages.length} ok  ${result.baseline.within20s} within 20 s  ` +
        `${result.baseline.bytesPerSnapshot.medianMB} MB median/page (p95 ${result.baseline.bytesPerSnapshot.p95MB})  CPU busy ${bareBusy}`,
      '  goals: default ≥ 1.5, tuned ≥ 1.2 (results in bench/results/capture.json)',
    ].join('\n'),
  );
});
