/**
 * Clean captures on fixtures served from 127.0.0.1: consent banners are dismissed by rejecting
 * optional cookies, ad requests to a blocked loopback host never leave Chromium, "load more"
 * content reaches the readable text, titles follow Readability's rule, and screenshots and
 * thumbnails are WebP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Logger, SnapshotJob, SnapshotResult } from '@linksnap/shared';
import sharp from 'sharp';
import {
  addCleanPages,
  CONSENT_ARTICLE,
  LOAD_MORE_SECRET,
  type LoopbackHost,
  startAdHost,
  startConsentFrameHost,
  TITLES,
} from '../../../test/support/clean-fixture.js';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { imageSize } from '../../../test/support/image-size.js';
import { type SnapshotterHarness, startSnapshotterHarness } from '../../../test/support/snapshotter-harness.js';
import { loadAdBlocker } from '../src/capture/adblock.js';
import { LOAD_MORE_TEXT } from '../src/capture/settle.js';
import { loadBlocker } from '../src/worker.js';

describe('clean captures', () => {
  let fixture: FixtureServer;
  let adHost: LoopbackHost;
  let consentFrameHost: LoopbackHost;
  let harness: SnapshotterHarness;

  before(async () => {
    fixture = await startFixtureServer();
    adHost = await startAdHost();
    consentFrameHost = await startConsentFrameHost();
    addCleanPages(fixture, adHost.origin, consentFrameHost.origin);
    harness = await startSnapshotterHarness({
      // The ad host is allow-listed: only the blocker stands between the page and it.
      allow: [fixture.hostPort, adHost.hostPort, consentFrameHost.hostPort],
      extra: {
        CAPTURE_ATTEMPTS: '1',
        CAPTURE_TIMEOUT_MS: '30000',
        CAPTURE_CONCURRENCY: '2',
        ADBLOCK_EXTRA_FILTERS: '||127.0.0.2^',
      },
    });
  });

  after(async () => {
    await harness?.close();
    await Promise.allSettled([fixture?.close(), adHost?.close(), consentFrameHost?.close()]);
  });

  const capture = async (path: string, options?: SnapshotJob['options']): Promise<SnapshotResult> => {
    const result = await harness.resultOf(await harness.enqueue(fixture.url(path), options ? { options } : {}), 60_000);
    assert.equal(result.status, 'succeeded', JSON.stringify(result.error ?? result.missing));
    return result;
  };
  /** Both consent fixtures paint the whole window red; the article is on white. */
  const assertNoBannerPixels = async (shot: Buffer) => {
    assert.equal(imageSize(shot).format, 'webp');
    const { data, info } = await sharp(shot)
      .extract({ left: 600, top: 300, width: 40, height: 40 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    let red = 0;
    for (let i = 0; i < data.length; i += info.channels)
      if ((data[i] as number) > 150 && (data[i + 1] as number) < 80 && (data[i + 2] as number) < 80) red++;
    assert.equal(red, 0, 'no banner pixels in the middle of the screenshot');
  };
  const report = async (result: SnapshotResult) =>
    JSON.parse((await harness.artifact(result, 'report')).toString('utf8')) as Record<string, unknown>;

  test('a consent banner is rejected: the screenshot shows the article and the report names the rule', async () => {
    const result = await capture('/clean/consent');
    const consent = (await report(result)).consent as { rule: string | null; optedOut: boolean | null };
    assert.equal(consent.rule, 'Onetrust', JSON.stringify(consent));
    assert.equal(consent.optedOut, true, JSON.stringify(consent));
    const html = (await harness.artifact(result, 'html')).toString('utf8');
    assert.ok(html.includes(CONSENT_ARTICLE));
    assert.ok(!html.includes('onetrust-banner-sdk'), 'the banner is gone from the archived DOM');
    await assertNoBannerPixels(await harness.artifact(result, 'screenshot'));
  });

  test('a consent dialog inside an iframe from another origin is rejected there: the page shows the article', async () => {
    const result = await capture('/clean/consent-frame');
    const consent = (await report(result)).consent as {
      rule: string | null;
      optedOut: boolean | null;
      frame: string | null;
      frames: number;
    };
    assert.equal(consent.rule, 'Sourcepoint-frame', JSON.stringify(consent));
    assert.notEqual(consent.optedOut, false, JSON.stringify(consent));
    assert.ok(consent.frame?.startsWith(`${consentFrameHost.origin}/index.html?`), JSON.stringify(consent));
    assert.ok(consent.frames >= 2, JSON.stringify(consent));
    // The page removes the container only when the frame's reject button posts its choice.
    const html = (await harness.artifact(result, 'html')).toString('utf8');
    assert.ok(html.includes(CONSENT_ARTICLE));
    assert.ok(!html.includes('sp_message_container_1234'), 'the dialog is gone from the archived DOM');
    assert.match(html, /<body[^>]* data-consent="reject"/, 'the choice posted from the frame was "reject"');
    await assertNoBannerPixels(await harness.artifact(result, 'screenshot'));
  });

  test('a consent banner that ignores or breaks the rule neither fails nor stalls the capture', async () => {
    for (const path of ['/clean/consent-stuck', '/clean/consent-throws']) {
      const result = await capture(path);
      const consent = (await report(result)).consent as { elapsedMs: number; lifecycle: string };
      assert.ok(consent, path);
      assert.ok(result.artifacts.some((a) => a.kind === 'screenshot') && result.text?.includes(CONSENT_ARTICLE), path);
      // Bounded by its own budget, whatever the rule does.
      assert.ok((result.timings.consent ?? 0) < 5_000, JSON.stringify(result.timings));
    }
  });

  test('filter lists that cannot be loaded leave capture on, without blocking, with a warning', async () => {
    const warnings: string[] = [];
    const logger = { info: () => undefined, warn: (_: unknown, msg: string) => warnings.push(msg) };
    const blocker = await loadBlocker(
      { ...harness.config, ADBLOCK: true, ADBLOCK_LISTS: ['no-such-list.txt'] },
      logger as unknown as Logger,
    );
    assert.equal(blocker, null);
    assert.match(warnings.join('\n'), /could not be loaded/);
  });

  test('the parsed engine is kept in DATA_DIR and read back by the next start', async () => {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'adblock-cache-'));
    try {
      const first = await loadAdBlocker({ cacheDir, extraFilters: '||cache-test.example^' });
      const second = await loadAdBlocker({ cacheDir, extraFilters: '||cache-test.example^' });
      const other = await loadAdBlocker({ cacheDir, extraFilters: '||other.example^ ||third.example^' });
      assert.deepEqual([first.source, second.source, other.source], ['lists', 'cache', 'lists']);
      assert.equal(second.filters, first.filters);
      assert.equal(other.filters, first.filters + 1);
      assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.bin')).length, 2);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test('ad requests to a blocked host never reach it, and the page is still captured', async () => {
    const before = adHost.hits();
    const result = await capture('/clean/ads');
    assert.equal(adHost.hits(), before, 'the ad host saw no request');
    assert.ok((result.report?.adsBlocked ?? 0) >= 2, JSON.stringify((await report(result)).failedRequests));
    assert.ok(result.artifacts.some((a) => a.kind === 'screenshot'));
    // The same page with blocking turned off for the link does reach the host (the check can fail).
    const open = await capture('/clean/ads', { blockAds: false });
    assert.ok(adHost.hits() > before, 'without blocking the ad host is reached');
    assert.equal(open.report?.adsBlocked ?? 0, 0);
  });

  test('content behind a "load more" button and inside <details> is in the readable text', async () => {
    const result = await capture('/clean/load-more');
    assert.ok(result.text?.includes(LOAD_MORE_SECRET), result.text ?? '');
    const settle = (await report(result)).settle as { behaviours: { clicked: number; details: number } };
    assert.equal(settle.behaviours.clicked, 1);
    assert.equal(settle.behaviours.details, 1);
  });

  test('titles follow Readability: entities, an en-dash separator, a title from the page heading', async () => {
    const [entities, enDash, fromContent] = await Promise.all(
      ['/clean/title-entities', '/clean/title-en-dash', '/clean/title-content'].map((p) => capture(p)),
    );
    assert.equal(entities?.title, TITLES.entities.want);
    assert.equal(enDash?.title, TITLES.enDash.want);
    assert.equal(fromContent?.title, TITLES.fromContent.want);
  });

  test('a bookmark keeps metadata and readable text only; formats choose the artifacts', async () => {
    const kinds = (r: SnapshotResult) => r.artifacts.map((a) => a.kind).sort();
    const bookmark = await capture('/clean/load-more', { mode: 'bookmark' });
    assert.deepEqual(kinds(bookmark), ['metadata', 'readable', 'report', 'text']);
    assert.ok(bookmark.text?.includes(LOAD_MORE_SECRET));
    const pdfOnly = await capture('/clean/load-more', { formats: ['pdf'] });
    assert.deepEqual(kinds(pdfOnly), ['metadata', 'pdf', 'readable', 'report', 'text']);
    assert.deepEqual(pdfOnly.missing, []);
  });

  test('the thumbnail is a 400 px wide WebP', async () => {
    const result = await capture('/clean/load-more');
    const thumb = imageSize(await harness.artifact(result, 'thumbnail'));
    assert.deepEqual([thumb.format, thumb.width], ['webp', 400]);
    assert.equal(result.artifacts.find((a) => a.kind === 'thumbnail')?.contentType, 'image/webp');
  });

  test('the load-more rule matches buttons that reveal more, not links or other labels', () => {
    for (const text of ['Load more', 'Show more', 'Read more…', 'See all', 'Continue reading', 'More comments'])
      assert.ok(LOAD_MORE_TEXT.test(text), text);
    for (const text of [
      'More from us',
      'Load more stories from our partners',
      'Subscribe',
      'Read the full review here',
    ])
      assert.ok(!LOAD_MORE_TEXT.test(text), text);
  });
});
