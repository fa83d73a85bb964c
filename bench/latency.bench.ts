/**
 * Latency: submit → succeeded for /simple through the API, 30 sequential runs (warm browser,
 * one snapshotter), median and p95; against the bare capture of the same page (PNG + PDF +
 * MHTML + HTML, warm browser), repeated as often. The client learns the outcome from the
 * job's event stream (GET /v1/jobs/{id}/events), as the web UI does. Platform and bare runs
 * alternate, each after a pause, so that a submission finds the platform idle, as one person's
 * link does; back-to-back captures are the throughput benchmark's subject.
 * --quick: 5 runs.
 */
import { launchBare } from './lib/bare.js';
import { stageMedians, startPlatform, streamFinal, warmUp } from './lib/platform.js';
import { conditions, deadline, main, median, percentile, QUICK, round, sleep, writeResult } from './lib/util.js';

/** Between runs: longer than a context takes to open after a capture on this machine. */
const PAUSE_MS = 500;

await main(async () => {
  deadline(8 * 60_000, 'latency');
  const info = conditions();
  const runs = QUICK ? 5 : 30;

  const platform = await startPlatform({ workers: 1 });
  await warmUp(platform, 2);
  const bare = await launchBare();
  await bare.capture(platform.fixture.url('/simple'), 'warm');

  // Platform and bare runs alternate, so load from elsewhere on the machine weighs on both.
  const latencies: number[] = [];
  const jobs: any[] = [];
  const states: Record<string, number> = {};
  const bareMs: number[] = [];
  const bareTimings: Record<string, number[]> = {};
  for (let i = 0; i < runs; i++) {
    await sleep(PAUSE_MS);
    const { snapshotId, at } = await platform.submit(platform.fixture.url(`/simple?run=${i}-${Date.now()}`));
    const { job, at: done } = await streamFinal(platform, snapshotId, 60_000);
    latencies.push(done - at);
    jobs.push(job);
    states[job.state] = (states[job.state] ?? 0) + 1;

    await sleep(PAUSE_MS);
    const r = await bare.capture(platform.fixture.url(`/simple?run=${i}`), `${i}`);
    if (!r.ok) throw new Error(`bare capture failed: ${r.error}`);
    bareMs.push(r.ms);
    for (const [k, v] of Object.entries(r.timings)) {
      bareTimings[k] = [...(bareTimings[k] ?? []), v];
    }
  }
  await bare.close();
  await platform.close();
  const queueWait = jobs.map((j) =>
    j.snapshot?.startedAt && j.snapshot?.requestedAt
      ? Date.parse(j.snapshot.startedAt) - Date.parse(j.snapshot.requestedAt)
      : Number.NaN,
  );
  const captureMs = jobs.map((j) =>
    j.snapshot?.startedAt && j.snapshot?.finishedAt
      ? Date.parse(j.snapshot.finishedAt) - Date.parse(j.snapshot.startedAt)
      : Number.NaN,
  );
  const stages = stageMedians(jobs);

  const result = {
    ...info,
    runs,
    platform: {
      medianMs: round(median(latencies), 0),
      p95Ms: round(percentile(latencies, 0.95), 0),
      states,
      medianQueueWaitMs: round(median(queueWait), 0),
      medianCaptureMs: round(median(captureMs), 0),
      stageMediansMs: stages,
    },
    baseline: {
      medianMs: round(median(bareMs), 0),
      p95Ms: round(percentile(bareMs, 0.95), 0),
      stageMediansMs: Object.fromEntries(Object.entries(bareTimings).map(([k, v]) => [k, median(v)])),
    },
    ratio: 0 as number | null,
    ratioP95: 0 as number | null,
    goal: '<= 1.25 (median)',
  };
  result.ratio = round(median(latencies) / median(bareMs), 2);
  result.ratioP95 = round(percentile(latencies, 0.95) / percentile(bareMs, 0.95), 2);
  writeResult('latency', result);
  console.log(
    `latency: platform median ${result.platform.medianMs} ms p95 ${result.platform.p95Ms} ms vs bare median ` +
      `${result.baseline.medianMs} ms p95 ${result.baseline.p95Ms} ms → ratio ${result.ratio} (goal ≤ 1.25)`,
  );
});
