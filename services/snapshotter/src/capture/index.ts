/**
 * The capture pipeline: navigate, settle, then one stage per artifact, each inside its own
 * budget carved out of the job's overall budget and reported through `onStage`. A stage that
 * fails or runs out of time is recorded as missing (the snapshot ends `partial`) and the
 * capture goes on with what it has; a failed navigation or a crashed browser fails the whole
 * capture. Non-HTML targets are stored as downloaded (`original`) with their metadata, and a
 * screenshot when Chromium renders them. Every capture ends with a `report` artifact.
 */
import type {
  ArchiveSigner,
  ArtifactKind,
  CaptureFormat,
  CaptureStage,
  ErrorCode,
  MissingArtifact,
  ReportSummary,
} from '@linksnap/shared';
import { hostPortOf } from '@linksnap/shared';
import type { CDPSession, Page } from 'puppeteer-core';
import type { KnownPayloads } from '../archive/known-payloads.js';
import { EGRESS_BLOCKED_HEADER, EGRESS_ERROR_HEADER, type EgressProxy } from '../egress/proxy.js';
import { toCaptureError } from '../errors.js';
import { type AdBlocker, BLOCKED_BY_CLIENT } from './adblock.js';
import { createBudget, withStageTimeout } from './budget.js';
import { type ConsentReport, type ConsentSession, prepareConsent } from './consent.js';
import { captureFavicon } from './favicon.js';
import { captureHtml } from './html.js';
import { followingRedirects } from './inline/resources.js';
import { emptyMetadata, jsonArtifact, type PageMetadata, readMetadata } from './metadata.js';
import { captureMhtml } from './mhtml.js';
import { type NavigationResult, navigate } from './navigate.js';
import { capturePdf } from './pdf.js';
import { RESULT_TEXT_LIMIT, type ReadableArticle, readArticle, readableDocument } from './readable.js';
import { type Recorder, type RecorderOptions, type Recording, startRecording } from './recorder.js';
import {
  captureScreenshot,
  captureThumbnail,
  encodeScreenshot,
  type FullPageShot,
  type ScreenshotFormat,
  screenshotType,
  thumbnailOf,
} from './screenshot.js';
import { type SettleResult, settle } from './settle.js';
import { captureWacz } from './wacz.js';

export interface CapturedArtifact {
  kind: ArtifactKind;
  body: Buffer;
  /** Overrides the kind's default content type (the `original` keeps the real one). */
  contentType?: string;
  ext?: string;
}

export interface CaptureOutput {
  navigation: NavigationResult;
  metadata: PageMetadata;
  /** Readable text (truncated for the result row), null when none could be read. */
  text: string | null;
  artifacts: CapturedArtifact[];
  missing: MissingArtifact[];
  /** Milliseconds per stage. */
  timings: Record<string, number>;
  summary: ReportSummary;
  /** Every HTTP exchange the egress guard let through, up to settle (recorder.ts). */
  recording: Recording;
}

export interface CaptureOptions {
  url: string;
  timeoutMs: number;
  /** Full-page screenshots are cut at this height. */
  maxHeightPx?: number;
  /** Largest non-HTML body stored as downloaded. */
  maxBytes?: number;
  proxy?: EgressProxy;
  /** Limits of the recording (config RECORD_BODY_MAX_BYTES, RECORD_TOTAL_MAX_BYTES). */
  record?: RecorderOptions;
  /** Signs the `wacz` artifact; without it no WACZ is made. */
  signer?: ArchiveSigner;
  /** Payloads the link's earlier versions archived: the WACZ refers to them (ADR 0017). */
  knownPayloads?: KnownPayloads;
  /**
   * An uploaded page (upload-source.ts serves it): the document is not inspected as a
   * download, and nothing is fetched for the capture's own sake (the favicon).
   */
  uploaded?: boolean;
  /** Blocks ads and trackers in the page (adblock.ts); absent or null, nothing is blocked. */
  blocker?: AdBlocker | null;
  /** Dismisses consent dialogs, rejecting optional cookies (consent.ts). */
  consent?: boolean;
  /**
   * The artifacts to make (the screenshot brings its thumbnail); text, readable, metadata,
   * report and favicon always are. Absent: all of them.
   */
  formats?: readonly CaptureFormat[];
  /** Full-page screenshot format (config SCREENSHOT_FORMAT); WebP when absent. */
  screenshotFormat?: ScreenshotFormat;
  onStage?: (stage: CaptureStage) => Promise<void> | void;
  /**
   * Called with each large artifact as soon as it exists, so that it can be stored while the
   * rest is captured; every artifact (these included) is still in the output, in order.
   */
  onArtifact?: (artifact: CapturedArtifact) => void;
}

/** Upper bounds per stage (each also bounded by what is left of the job's budget). */
const STAGE_CAP_MS = {
  navigate: 30_000,
  load: 3_500,
  quiet: 2_000,
  settleScroll: 3_000,
  settleAssets: 2_000,
  // What is left of the consent dialog's handling once the page has settled.
  consent: 1_500,
  screenshot: 15_000,
  thumbnail: 5_000,
  pdf: 20_000,
  mhtml: 15_000,
  // Parses, inlines and re-serialises the whole DOM in Node (about 1 MB of markup on big pages).
  html: 15_000,
  text: 10_000,
  metadata: 5_000,
  favicon: 2_000,
  wacz: 15_000,
};
/** Share of the budget navigation may use; the rest is kept for the artifacts. */
const NAVIGATION_SHARE = 0.5;
const LIST_LIMIT = 200;
const RECORD_DEFAULTS: RecorderOptions = { maxBodyBytes: 20 * 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024 };

/** A CDP session counting the bytes the page received (for the report). */
async function countBytes(page: Page, add: (bytes: number) => void): Promise<CDPSession> {
  const network = await page.createCDPSession();
  network.on('Network.loadingFinished', (event: { encodedDataLength?: number }) => add(event.encodedDataLength ?? 0));
  await network.send('Network.enable').catch(() => undefined);
  return network;
}

async function denyDownloads(page: Page): Promise<void> {
  try {
    const browserSession = await page.browser().target().createCDPSession();
    const browserContextId = page.browserContext().id;
    await browserSession
      .send('Browser.setDownloadBehavior', { behavior: 'deny', ...(browserContextId ? { browserContextId } : {}) })
      .catch(() => undefined);
    await browserSession.detach().catch(() => undefined);
  } catch {
    // Downloads are also refused by never handling them; this is belt and braces.
  }
}

export async function capturePage(page: Page, options: CaptureOptions): Promise<CaptureOutput> {
  const started = Date.now();
  const budget = createBudget(options.timeoutMs);
  const maxHeight = options.maxHeightPx ?? 16_384;
  const timings: Record<string, number> = {};
  const stageMs = (cap: number) => Math.max(1, Math.min(cap, budget.remaining()));
  const timed = async <T>(stage: CaptureStage, key: string, work: () => Promise<T>): Promise<T> => {
    await options.onStage?.(stage);
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[key] = Math.round(performance.now() - t0);
    }
  };

  // What the page did, for the report.
  const hosts = new Set<string>();
  let requests = 0;
  let bytes = 0;
  let consoleErrors = 0;
  const failed: { url: string; reason: string }[] = [];
  let failedCount = 0;
  page.on('dialog', (dialog) => {
    dialog.dismiss().catch(() => undefined);
  });
  page.on('popup', (popup) => {
    popup?.close().catch(() => undefined);
  });
  page.on('request', (req) => {
    requests++;
    const hp = hostPortOf(req.url());
    if (hp) hosts.add(hp);
  });
  let adsBlocked = 0;
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText.startsWith(BLOCKED_BY_CLIENT)) {
      adsBlocked++;
      return;
    }
    failedCount++;
    if (failed.length < LIST_LIMIT) failed.push({ url: req.url(), reason: req.failure()?.errorText ?? 'failed' });
  });
  // Plain-HTTP requests the egress guard refuses come back as its own error responses.
  page.on('response', (res) => {
    const headers = res.headers();
    const refused = headers[EGRESS_BLOCKED_HEADER] ?? headers[EGRESS_ERROR_HEADER];
    if (refused === undefined) return;
    failedCount++;
    if (failed.length < LIST_LIMIT)
      failed.push({ url: res.url(), reason: `egress guard: ${refused} (${res.status()})` });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors++;
  });
  page.on('pageerror', () => {
    consoleErrors++;
  });
  // Independent set-up round trips to Chromium, sent side by side: each is a few milliseconds,
  // and together they came before every navigation.
  const [network, recorder] = await Promise.all([
    countBytes(page, (n) => {
      bytes += n;
    }),
    startRecording(page, options.record ?? RECORD_DEFAULTS),
    // A snapshot is a still image of the page: no animation burning CPU while it is taken.
    page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]).catch(() => undefined),
    denyDownloads(page),
  ]);
  const { disableBlocking, consent } = await prepareCleanCapture(page, options);

  const navigation = await timed('navigate', 'navigate', () =>
    navigate(page, {
      url: options.url,
      timeoutMs: Math.max(1_000, Math.min(STAGE_CAP_MS.navigate, Math.floor(budget.remaining() * NAVIGATION_SHARE))),
      loadTimeoutMs: stageMs(STAGE_CAP_MS.load),
      quietTimeoutMs: stageMs(STAGE_CAP_MS.quiet),
      maxBytes: options.maxBytes,
      proxy: options.proxy,
      inspectDocument: !options.uploaded,
    }),
  );

  const artifacts: CapturedArtifact[] = [];
  const missing: MissingArtifact[] = [];
  const stageErrors: { stage: string; code: ErrorCode; detail: string }[] = [];
  const stage = async <T>(
    progress: CaptureStage,
    key: string,
    kinds: ArtifactKind[],
    cap: number,
    work: () => Promise<T>,
  ): Promise<T | null> => {
    try {
      return await timed(progress, key, () => withStageTimeout(work(), stageMs(cap), `The ${key} stage`));
    } catch (err) {
      const error = toCaptureError(err);
      if (error.code === 'BROWSER_CRASHED') throw error;
      for (const kind of kinds) missing.push({ kind, code: error.code, detail: error.detail });
      stageErrors.push({ stage: key, code: error.code, detail: error.detail });
      return null;
    }
  };

  const offer = (artifact: CapturedArtifact | null): CapturedArtifact | null => {
    if (artifact) options.onArtifact?.(artifact);
    return artifact;
  };
  const format = options.screenshotFormat ?? 'webp';
  const wants = (kind: CaptureFormat) => !options.formats || options.formats.includes(kind);
  /** A stage for an artifact that was not asked for is skipped, and not listed as missing. */
  const wanted = <T>(kind: CaptureFormat, work: () => Promise<T | null>): Promise<T | null> =>
    wants(kind) ? work() : Promise.resolve(null);
  const fullScreenshot = () =>
    wanted('screenshot', () =>
      stage('screenshot', 'screenshot', ['screenshot'], STAGE_CAP_MS.screenshot, () =>
        captureScreenshot(page, maxHeight, format),
      ),
    );
  /** The stored screenshot, encoded from the PNG off Chromium's critical path. */
  const screenshotArtifact = async (full: FullPageShot | null): Promise<CapturedArtifact | null> => {
    if (!full) return null;
    const body = await stage('screenshot', 'screenshotEncode', ['screenshot'], STAGE_CAP_MS.screenshot, () =>
      encodeScreenshot(full, format),
    );
    return offer(body && { kind: 'screenshot', body, ...screenshotType(format) });
  };
  /** Scaled from the full-page screenshot; rendered from the viewport when there is none. */
  const thumbnail = (full: FullPageShot | null) =>
    wanted('screenshot', () =>
      stage('screenshot', 'thumbnail', ['thumbnail'], STAGE_CAP_MS.thumbnail, () =>
        full ? thumbnailOf(full, page.viewport()?.height ?? 800) : captureThumbnail(page),
      ),
    );

  /** The recording as a signed WACZ, once the page's title is known. */
  const archive = async (done: Recording, title: string | null): Promise<CapturedArtifact | null> => {
    const signer = options.signer;
    if (!signer || !wants('wacz')) return null;
    const pageInfo = { url: navigation.finalUrl, title, capturedAt: new Date(started) };
    const body = await stage('wacz', 'wacz', ['wacz'], STAGE_CAP_MS.wacz, () =>
      captureWacz(done, pageInfo, signer, options.knownPayloads),
    );
    return offer(body && { kind: 'wacz', body });
  };

  let shot: FullPageShot | null = null;
  let settled: SettleResult | null = null;
  let stoppedLoading = false;
  let article: ReadableArticle | null = null;
  let metadata: PageMetadata = emptyMetadata(navigation);
  let inlined: Awaited<ReturnType<typeof captureHtml>>['stats'] | null = null;
  let consentReport: ConsentReport | null = null;
  const original = navigation.original;
  let recording: Recording;

  if (original) {
    recording = await stopRecording(recorder, navigation);
    const stored = offer({
      kind: 'original',
      body: original.body,
      contentType: original.contentType,
      ext: extensionFor(original.contentType),
    });
    if (stored) artifacts.push(stored);
    if (original.rendered) {
      shot = await fullScreenshot();
      const screenshot = await screenshotArtifact(shot);
      if (screenshot) artifacts.push(screenshot);
      const thumb = await thumbnail(shot);
      if (thumb) artifacts.push({ kind: 'thumbnail', body: thumb });
    }
    artifacts.push({ kind: 'metadata', body: jsonArtifact(metadata) });
    const wacz = await archive(recording, metadata.title);
    if (wacz) artifacts.push(wacz);
  } else {
    // The consent rules work in the page while it settles; what is left of them is waited for.
    await consent?.start();
    settled = await stage('settle', 'settle', [], STAGE_CAP_MS.settleScroll + STAGE_CAP_MS.settleAssets + 1_000, () =>
      settle(page, {
        maxHeight,
        scrollMs: Math.min(STAGE_CAP_MS.settleScroll, budget.remaining() * 0.1),
        assetsMs: Math.min(STAGE_CAP_MS.settleAssets, budget.remaining() * 0.05),
      }),
    );
    if (consent) consentReport = await timed('settle', 'consent', () => consent.finish(stageMs(STAGE_CAP_MS.consent)));
    recording = await stopRecording(recorder, navigation);
    // Whatever is still loading now never will in time; stopping it keeps print (PDF) and
    // the snapshot stages from waiting on requests that do not end.
    stoppedLoading = await page
      .evaluate('document.readyState !== "complete" && (window.stop(), true)')
      .then(Boolean)
      .catch(() => false);
    // Then Chromium prints the PDF and serialises the archive and the markup side by side (print
    // lays the page out on its own; the readers only read the settled page), while libvips
    // scales the thumbnail from the screenshot. Artifacts keep their order.
    const readText = async () => {
      const found = await stage('text', 'text', ['text', 'readable'], STAGE_CAP_MS.text, () => readArticle(page));
      const meta = await stage('metadata', 'metadata', ['metadata'], STAGE_CAP_MS.metadata, () =>
        readMetadata(page, navigation, found),
      );
      // Optional: a page without a reachable icon loses nothing, so it is not listed as missing.
      const iconUrl = options.uploaded ? null : meta?.favicon;
      const icon = iconUrl
        ? await stage('metadata', 'favicon', [], STAGE_CAP_MS.favicon, () => captureFavicon(page, iconUrl))
        : null;
      return { found, meta, icon };
    };
    // The full-page screenshot enlarges the viewport while it renders, which print would see.
    shot = await fullScreenshot();
    const as = (kind: ArtifactKind) => (body: Buffer | null) => offer(body && { kind, body });
    const pageRecording = recording;
    const readAndArchive = readText().then(async (read) => ({
      read,
      wacz: await archive(pageRecording, read.meta?.title ?? null),
    }));
    const [thumb, screenshot, pdf, mhtml, html, { read, wacz }] = await Promise.all([
      thumbnail(shot).then(as('thumbnail')),
      screenshotArtifact(shot),
      wanted('pdf', () =>
        stage('pdf', 'pdf', ['pdf'], STAGE_CAP_MS.pdf, () => capturePdf(page, stageMs(STAGE_CAP_MS.pdf))),
      ).then(as('pdf')),
      wanted('mhtml', () => stage('mhtml', 'mhtml', ['mhtml'], STAGE_CAP_MS.mhtml, () => captureMhtml(page))).then(
        as('mhtml'),
      ),
      wanted('html', () =>
        stage('html', 'html', ['html'], STAGE_CAP_MS.html, () => captureHtml(page, followingRedirects(pageRecording))),
      ).then((html) => {
        inlined = html?.stats ?? null;
        return as('html')(html?.body ?? null);
      }),
      readAndArchive,
    ]);
    for (const artifact of [thumb, screenshot, pdf, mhtml, html, wacz]) if (artifact) artifacts.push(artifact);
    article = read.found;
    if (read.meta) metadata = read.meta;
    if (article) {
      artifacts.push({ kind: 'text', body: Buffer.from(`${article.text}\n`, 'utf8') });
      artifacts.push({ kind: 'readable', body: readableDocument(article, metadata.title, navigation.finalUrl) });
    }
    if (read.meta) artifacts.push({ kind: 'metadata', body: jsonArtifact(metadata) });
    const icon = read.icon;
    if (icon) artifacts.push({ kind: 'favicon', body: icon.body, contentType: icon.contentType, ext: icon.ext });
  }

  const blocked = (options.proxy?.records ?? [])
    .filter((r) => r.at >= started && r.outcome !== 'allowed' && hosts.has(r.hostPort))
    .map((r) => ({ target: r.target, outcome: r.outcome, code: r.code, detail: r.detail }));
  const summary: ReportSummary = {
    requests,
    failedRequests: failedCount,
    blockedRequests: blocked.length,
    adsBlocked,
    bytes,
    cut: shot?.cut ?? false,
    consoleErrors,
    navigationTimedOut: navigation.timedOut,
  };
  await Promise.all([network.detach().catch(() => undefined), disableBlocking?.()]);
  const report = {
    url: options.url,
    finalUrl: navigation.finalUrl,
    redirects: navigation.redirects,
    httpStatus: navigation.httpStatus,
    contentType: navigation.contentType,
    budgetMs: options.timeoutMs,
    elapsedMs: Date.now() - started,
    timings,
    navigation: {
      domContentLoadedTimedOut: navigation.timedOut,
      loadTimedOut: navigation.loadTimedOut,
      networkQuiet: navigation.quiet,
      stoppedLoading,
    },
    settle: settled,
    recording: recordingSummary(recording),
    requests: { total: requests, failed: failedCount, blocked: blocked.length, adsBlocked, bytes },
    adblock: { enabled: Boolean(disableBlocking), blocked: adsBlocked },
    consent: consentReport,
    failedRequests: failed,
    blockedRequests: blocked.slice(0, LIST_LIMIT),
    screenshot: shot ? { height: shot.height, pageHeight: shot.pageHeight, cut: shot.cut, maxHeight } : null,
    original: original ? { contentType: original.contentType, bytes: original.body.length } : null,
    html: inlined,
    readability: article ? { found: article.found, textChars: article.text.length } : null,
    consoleErrors,
    stageErrors,
    missing,
  };
  artifacts.push({ kind: 'report', body: jsonArtifact(report) });

  const text = article?.text ? article.text.slice(0, RESULT_TEXT_LIMIT) : null;
  return { navigation, metadata, text, artifacts, missing, timings, summary, recording };
}

/**
 * Turns on what keeps a snapshot clean before the page loads: the ad and tracker blocker, and
 * the binding the consent rules report through. Either failing leaves the capture as it was.
 */
async function prepareCleanCapture(
  page: Page,
  options: CaptureOptions,
): Promise<{ disableBlocking: (() => Promise<void>) | null; consent: ConsentSession | null }> {
  const [disableBlocking, consent] = await Promise.all([
    options.blocker ? options.blocker.enable(page).catch(() => null) : null,
    options.consent ? prepareConsent(page).catch(() => null) : null,
  ]);
  return { disableBlocking, consent };
}

/** Ends the recording; a non-HTML original replaces the placeholder Chromium was given. */
function stopRecording(recorder: Recorder, navigation: NavigationResult): Promise<Recording> {
  const original = navigation.original;
  if (original && !original.rendered)
    recorder.replaceDocument(navigation.finalUrl, original.body, original.contentType);
  return recorder.stop();
}

function recordingSummary(recording: Recording) {
  const exchanges = recording.exchanges();
  return {
    exchanges: exchanges.length,
    bytes: exchanges.reduce((sum, e) => sum + e.body.length, 0),
    truncatedByLength: exchanges.filter((e) => e.truncated === 'length').length,
    truncatedByTime: exchanges.filter((e) => e.truncated === 'time').length,
  };
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/svg+xml': 'svg',
  'text/plain': 'txt',
  'text/csv': 'csv',
  'application/json': 'json',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''] ?? 'bin';
}
