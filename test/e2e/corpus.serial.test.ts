/**
 * Capture fidelity on the 46 real-world corpus pages, driven straight into the snapshotter
 * (queue → capture → S3 → results queue; no API). Their external resources point at hosts
 * that cannot be resolved here, which is part of the test. Prints one line per page and the
 * figures; asserts success, every default artifact, title and excerpt match rates, and that
 * no page stalls.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config, SnapshotResult } from '@linksnap/shared';
import { CORPUS_DIR, type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import { type SnapshotterHarness, startSnapshotterHarness } from '../support/snapshotter-harness.js';

interface CorpusPage {
  name: string;
  title: string;
  excerpt: string;
}

const DEFAULT_KINDS = [
  'html',
  'metadata',
  'mhtml',
  'pdf',
  'readable',
  'report',
  'screenshot',
  'text',
  'thumbnail',
  'wacz',
];
const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();

/** The snapshotter's concurrency as configured: a fixed number, or its adaptive range. */
const concurrencyOf = (config: Config) =>
  config.CAPTURE_CONCURRENCY ?? `adaptive ${config.CAPTURE_CONCURRENCY_MIN}-${config.CAPTURE_CONCURRENCY_MAX}`;

/** Longer than any page takes on a loaded 2-core machine; shorter than a stuck wait. */
const STALL_SECONDS = 30;

describe('corpus capture fidelity', () => {
  let fixture: FixtureServer;
  let harness: SnapshotterHarness;
  // CORPUS_ONLY=name,name narrows the run while debugging; the assertions still apply.
  const only = (process.env.CORPUS_ONLY ?? '').split(',').filter(Boolean);
  const pages = (
    JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as { pages: CorpusPage[] }
  ).pages.filter((p) => only.length === 0 || only.includes(p.name));

  before(async () => {
    fixture = await startFixtureServer();
    harness = await startSnapshotterHarness({
      allow: [fixture.hostPort],
      extra: { CAPTURE_ATTEMPTS: '1', CAPTURE_TIMEOUT_MS: '60000' },
    });
  });

  after(async () => {
    await harness?.close();
    await fixture?.close();
  });

  test('every corpus page is captured faithfully', { timeout: 280_000 }, async () => {
    const started = Date.now();
    // Enqueued all at once: the worker's CAPTURE_CONCURRENCY sets the pace.
    const ids = await Promise.all(pages.map((p) => harness.enqueue(fixture.url(`/corpus/${p.name}`))));
    const rows: {
      page: CorpusPage;
      result: SnapshotResult;
      seconds: number;
      titleOk: boolean;
      excerptOk: boolean;
      kindsOk: boolean;
    }[] = [];
    for (const [i, page] of pages.entries()) {
      const result = await harness.resultOf(ids[i] as string, 240_000);
      const seconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt ?? result.finishedAt)) / 1000;
      const kinds = result.artifacts.map((a) => a.kind).sort();
      const kindsOk = DEFAULT_KINDS.every((k) => kinds.includes(k as (typeof kinds)[number]));
      const titleOk = norm(result.title) === norm(page.title);
      let excerptOk = false;
      const needle = norm(page.excerpt).slice(0, 40);
      if (result.status !== 'failed') {
        const text = norm((await harness.artifact(result, 'text').catch(() => Buffer.alloc(0))).toString('utf8'));
        const meta = JSON.parse(
          (await harness.artifact(result, 'metadata').catch(() => Buffer.from('{}'))).toString('utf8'),
        ) as { description?: string | null };
        excerptOk = needle === '' || text.includes(needle) || norm(meta.description).includes(needle);
      }
      rows.push({ page, result, seconds, titleOk, excerptOk, kindsOk });
      process.stdout.write(
        `${result.status.padEnd(9)} ${seconds.toFixed(1).padStart(5)}s title:${titleOk ? 'ok ' : 'NO '} excerpt:${excerptOk ? 'ok ' : 'NO '} ` +
          `kinds:${kindsOk ? 'ok ' : 'NO '} ${page.name}` +
          (titleOk ? '' : ` | got "${norm(result.title)}" want "${norm(page.title)}"`) +
          (result.missing.length ? ` | missing ${JSON.stringify(result.missing)}` : '') +
          (result.error ? ` | ${result.error.code}: ${result.error.detail}` : '') +
          (seconds > 10 ? ` | timings ${JSON.stringify(result.timings)}` : '') +
          '\n',
      );
    }
    const total = (Date.now() - started) / 1000;
    const rate = (n: number) => `${((n / rows.length) * 100).toFixed(1)}%`;
    const ok = rows.filter((r) => r.result.status === 'succeeded' && r.kindsOk).length;
    const titles = rows.filter((r) => r.titleOk).length;
    const excerpts = rows.filter((r) => r.excerptOk).length;
    const secs = rows.map((r) => r.seconds).sort((a, b) => a - b);
    const median =
      secs.length % 2
        ? (secs[(secs.length - 1) / 2] as number)
        : ((secs[secs.length / 2 - 1] as number) + (secs[secs.length / 2] as number)) / 2;
    const max = secs[secs.length - 1] as number;
    process.stdout.write(
      `corpus: ${rows.length} pages, success ${rate(ok)}, title ${rate(titles)}, excerpt ${rate(excerpts)}, ` +
        `median ${median.toFixed(1)} s/page, max ${max.toFixed(1)} s/page, total ${total.toFixed(1)} s ` +
        `(concurrency ${concurrencyOf(harness.config)})\n`,
    );
    assert.equal(ok, rows.length, 'every page succeeds with every default artifact');
    assert.ok(titles / rows.length >= 0.95, `title match ${rate(titles)}`);
    assert.ok(excerpts / rows.length >= 0.95, `excerpt match ${rate(excerpts)}`);
    // A stall bound, not a speed goal (speed lives in bench/capture.bench.ts, whose goal is 20 s
    // a page): a capture stuck on a wait (the consent run that awaited every frame: 34 s) fails
    // it, two tall pages sharing 2 cores do not (wikipedia-2 took 11.7–25.5 s over six runs on
    // one machine, every stage slower alike, while its median page took 6.2–7.4 s).
    assert.ok(max <= STALL_SECONDS, `slowest page took ${max.toFixed(1)} s`);
  });
});
