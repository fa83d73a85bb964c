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
import { type Budget, createBudget, withStageTimeout } from './budget.js';
import { type ConsentReport, type ConsentSession, prepareConsent } from './consent.js';
import { captureFavicon } from './favicon.js';
import { captureHtml } from './html.js';
import { followingRedirects } from './inline/resources.js';
import { articleMetadata, emptyMetadata, jsonArtifact, type PageMetadata, readMetadata } from './metadata.js';
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
  storedScreenshot,
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
  // Its own work is a DOM read, but it waits behind the renderer's PDF, MHTML and HTML of the same
  // page: at 5 s a loaded machine lost a big page's title (wikipedia-2, HTML stage 6.4 s).
  metadata: 10_000,
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

/** What the page did, for the report. */
interface PageActivity {
  hosts: Set<string>;
  requests: number;
  bytes: number;
  consoleErrors: number;
  failed: { url: string; reason: string }[];
  failedCount: number;
  adsBlocked: number;
}

/** Counts the page's requests, failures, refusals and console errors; dismisses dialogs and popups. */
function watchPage(page: Page): PageActivity {
  const activity: PageActivity = {
    hosts: new Set(),
    requests: 0,
    bytes: 0,
    consoleErrors: 0,
    failed: [],
    failedCount: 0,
    adsBlocked: 0,
  };
  const fail = (url: string, reason: string) => {
    activity.failedCount++;
    if (activity.failed.length < LIST_LIMIT) activity.failed.push({ url, reason });
  };
  page.on('dialog', (dialog) => {
    dialog.dismiss().catch(() => undefined);
  });
  page.on('popup', (popup) => {
    popup?.close().catch(() => undefined);
  });
  page.on('request', (req) => {
    activity.requests++;
    const hp = hostPortOf(req.url());
    if (hp) activity.hosts.add(hp);
  });
  page.on('requestfailed', (req) => {
    if (req.failure()?.errorText.startsWith(BLOCKED_BY_CLIENT)) activity.adsBlocked++;
    else fail(req.url(), req.failure()?.errorText ?? 'failed');
  });
  // Plain-HTTP requests the egress guard refuses come back as its own error responses.
  page.on('response', (res) => {
    const headers = res.headers();
    const refused = headers[EGRESS_BLOCKED_HEADER] ?? headers[EGRESS_ERROR_HEADER];
    if (refused !== undefined) fail(res.url(), `egress guard: ${refused} (${res.status()})`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') activity.consoleErrors++;
  });
  page.on('pageerror', () => {
    activity.consoleErrors++;
  });
  return activity;
}

/** The capture's stages: each timed, bounded by its cap and the budget, and failing alone. */
interface Stages {
  timings: Record<string, number>;
  missing: MissingArtifact[];
  stageErrors: { stage: string; code: ErrorCode; detail: string }[];
  /** `cap`, or what is left of the budget when that is less (at least 1 ms). */
  ms(cap: number): number;
  timed<T>(stage: CaptureStage, key: string, work: () => Promise<T>): Promise<T>;
  /** Runs one stage; a failure lists `kinds` as missing and answers null (a crashed browser fails the capture). */
  run<T>(
    progress: CaptureStage,
    key: string,
    kinds: ArtifactKind[],
    cap: number,
    work: () => Promise<T>,
  ): Promise<T | null>;
}

function createStages(budget: Budget, onStage: CaptureOptions['onStage']): Stages {
  const stages: Stages = {
    timings: {},
    missing: [],
    stageErrors: [],
    ms: (cap) => Math.max(1, Math.min(cap, budget.remaining())),
    timed: async (stage, key, work) => {
      await onStage?.(stage);
      const t0 = performance.now();
      try {
        return await work();
      } finally {
        stages.timings[key] = Math.round(performance.now() - t0);
      }
    },
    run: async (progress, key, kinds, cap, work) => {
      try {
        return await stages.timed(progress, key, () => withStageTimeout(work(), stages.ms(cap), `The ${key} stage`));
      } catch (err) {
        const error = toCaptureError(err);
        if (error.code === 'BROWSER_CRASHED') throw error;
        for (const kind of kinds) stages.missing.push({ kind, code: error.code, detail: error.detail });
        stages.stageErrors.push({ stage: key, code: error.code, detail: error.detail });
        return null;
      }
    },
  };
  return stages;
}

/** The stages that make the screenshot, thumbnail and WACZ, shared by rendered pages and downloads. */
function imageAndArchiveStages(
  page: Page,
  options: CaptureOptions,
  stages: Stages,
  context: { maxHeight: number; navigation: NavigationResult; started: number },
) {
  const offer = (artifact: CapturedArtifact | null): CapturedArtifact | null => {
    if (artifact) options.onArtifact?.(artifact);
    return artifact;
  };
  const format = options.screenshotFormat ?? 'webp';
  const wants = (kind: CaptureFormat) => !options.formats || options.formats.includes(kind);
  /** A stage for an artifact that was not asked for is skipped, and not listed as missing. */
  const wanted = <T>(kind: CaptureFormat, work: () => Promise<T | null>): Promise<T | null> =>
    wants(kind) ? work() : Promise.resolve(null);
  return {
    offer,
    wanted,
    fullScreenshot: () =>
      wanted('screenshot', () =>
        stages.run('screenshot', 'screenshot', ['screenshot'], STAGE_CAP_MS.screenshot, () =>
          captureScreenshot(page, context.maxHeight, format),
        ),
      ),
    /**
     * The stored screenshot, encoded from the PNG off Chromium's critical path. An encoding that
     * fails is a stage error in the report, not a missing artifact: the PNG is stored instead.
     */
    screenshotArtifact: async (full: FullPageShot | null): Promise<CapturedArtifact | null> => {
      if (!full) return null;
      const encoded = await stages.run('screenshot', 'screenshotEncode', [], STAGE_CAP_MS.screenshot, () =>
        encodeScreenshot(full, format),
      );
      return offer({ kind: 'screenshot', ...storedScreenshot(full, format, encoded) });
    },
    /** Scaled from the full-page screenshot; rendered from the viewport when there is none. */
    thumbnail: (full: FullPageShot | null) =>
      wanted('screenshot', () =>
        stages.run('screenshot', 'thumbnail', ['thumbnail'], STAGE_CAP_MS.thumbnail, () =>
          full ? thumbnailOf(full, page.viewport()?.height ?? 800) : captureThumbnail(page),
        ),
      ),
    /** The recording as a signed WACZ, once the page's title is known. */
    archive: async (done: Recording, title: string | null): Promise<CapturedArtifact | null> => {
      const signer = options.signer;
      if (!signer || !wants('wacz')) return null;
      const pageInfo = { url: context.navigation.finalUrl, title, capturedAt: new Date(context.started) };
      const body = await stages.run('wacz', 'wacz', ['wacz'], STAGE_CAP_MS.wacz, () =>
        captureWacz(done, pageInfo, signer, options.knownPayloads),
      );
      return offer(body && { kind: 'wacz', body });
    },
  };
}

type Makers = ReturnType<typeof imageAndArchiveStages>;

/** What one branch of the capture (download or rendered page) made and found. */
interface Captured {
  artifacts: CapturedArtifact[];
  recording: Recording;
  shot: FullPageShot | null;
  metadata: PageMetadata;
  settled?: SettleResult | null;
  stoppedLoading?: boolean;
  article?: ReadableArticle | null;
  inlined?: Awaited<ReturnType<typeof captureHtml>>['stats'] | null;
  consentReport?: ConsentReport | null;
}

/** A download (not HTML): stored as it came, with a screenshot when Chromium rendered it. */
async function captureDownload(
  original: NonNullable<NavigationResult['original']>,
  recording: Recording,
  navigation: NavigationResult,
  make: Makers,
): Promise<Captured> {
  const artifacts: CapturedArtifact[] = [];
  const metadata = emptyMetadata(navigation);
  const stored = make.offer({
    kind: 'original',
    body: original.body,
    contentType: original.contentType,
    ext: extensionFor(original.contentType),
  });
  if (stored) artifacts.push(stored);
  let shot: FullPageShot | null = null;
  if (original.rendered) {
    shot = await make.fullScreenshot();
    const screenshot = await make.screenshotArtifact(shot);
    if (screenshot) artifacts.push(screenshot);
    const thumb = await make.thumbnail(shot);
    if (thumb) artifacts.push({ kind: 'thumbnail', body: thumb });
  }
  artifacts.push({ kind: 'metadata', body: jsonArtifact(metadata) });
  const wacz = await make.archive(recording, metadata.title);
  if (wacz) artifacts.push(wacz);
  return { artifacts, recording, shot, metadata };
}

/** Readable text, metadata and the favicon, read from the settled page. */
async function readPage(page: Page, options: CaptureOptions, stages: Stages, navigation: NavigationResult) {
  const found = await stages.run('text', 'text', ['text', 'readable'], STAGE_CAP_MS.text, () => readArticle(page));
  const meta = await stages.run('metadata', 'metadata', ['metadata'], STAGE_CAP_MS.metadata, () =>
    readMetadata(page, navigation, found),
  );
  // Optional: a page without a reachable icon loses nothing, so it is not listed as missing.
  const iconUrl = options.uploaded ? null : meta?.favicon;
  const icon = iconUrl
    ? await stages.run('metadata', 'favicon', [], STAGE_CAP_MS.favicon, () => captureFavicon(page, iconUrl))
    : null;
  return { found, meta, icon };
}

/** An HTML page: settle it (consent dialogs handled meanwhile), then every artifact of it. */
async function captureRendered(
  page: Page,
  options: CaptureOptions,
  ctx: { stages: Stages; make: Makers; budget: Budget; maxHeight: number; navigation: NavigationResult },
  recorder: Recorder,
  consent: ConsentSession | null | undefined,
): Promise<Captured> {
  const { stages, make, budget, navigation } = ctx;
  // The consent rules work in the page while it settles; what is left of them is waited for.
  await consent?.start();
  const settleCap = STAGE_CAP_MS.settleScroll + STAGE_CAP_MS.settleAssets + 1_000;
  const settled = await stages.run('settle', 'settle', [], settleCap, () =>
    settle(page, {
      maxHeight: ctx.maxHeight,
      scrollMs: Math.min(STAGE_CAP_MS.settleScroll, budget.remaining() * 0.1),
      assetsMs: Math.min(STAGE_CAP_MS.settleAssets, budget.remaining() * 0.05),
    }),
  );
  const consentReport = consent
    ? await stages.timed('settle', 'consent', () => consent.finish(stages.ms(STAGE_CAP_MS.consent)))
    : null;
  const recording = await stopRecording(recorder, navigation);
  // Whatever is still loading now never will in time; stopping it keeps print (PDF) and
  // the snapshot stages from waiting on requests that do not end.
  const stoppedLoading = await page
    .evaluate('document.readyState !== "complete" && (window.stop(), true)')
    .then(Boolean)
    .catch(() => false);
  // The full-page screenshot enlarges the viewport while it renders, which print would see.
  const shot = await make.fullScreenshot();
  const made = await renderedArtifacts(page, options, ctx, shot, recording);
  const artifacts = made.artifacts;
  const article = made.read.found;
  const metadata = made.read.meta ?? articleMetadata(navigation, article);
  if (article) {
    artifacts.push({ kind: 'text', body: Buffer.from(`${article.text}\n`, 'utf8') });
    artifacts.push({ kind: 'readable', body: readableDocument(article, metadata.title, navigation.finalUrl) });
  }
  if (made.read.meta) artifacts.push({ kind: 'metadata', body: jsonArtifact(metadata) });
  const icon = made.read.icon;
  if (icon) artifacts.push({ kind: 'favicon', body: icon.body, contentType: icon.contentType, ext: icon.ext });
  return {
    artifacts,
    recording,
    shot,
    metadata,
    settled,
    stoppedLoading,
    article,
    inlined: made.inlined,
    consentReport,
  };
}

/**
 * Chromium prints the PDF and serialises the archive and the markup side by side (print lays the
 * page out on its own; the readers only read the settled page), while libvips scales the
 * thumbnail from the screenshot. Artifacts keep their order.
 */
async function renderedArtifacts(
  page: Page,
  options: CaptureOptions,
  ctx: { stages: Stages; make: Makers; navigation: NavigationResult },
  shot: FullPageShot | null,
  recording: Recording,
) {
  const { stages, make } = ctx;
  const as = (kind: ArtifactKind) => (body: Buffer | null) => make.offer(body && { kind, body });
  let inlined: Awaited<ReturnType<typeof captureHtml>>['stats'] | null = null;
  const readAndArchive = readPage(page, options, stages, ctx.navigation).then(async (read) => ({
    read,
    wacz: await make.archive(recording, read.meta?.title ?? null),
  }));
  const [thumb, screenshot, pdf, mhtml, html, { read, wacz }] = await Promise.all([
    make.thumbnail(shot).then(as('thumbnail')),
    make.screenshotArtifact(shot),
    make
      .wanted('pdf', () =>
        stages.run('pdf', 'pdf', ['pdf'], STAGE_CAP_MS.pdf, () => capturePdf(page, stages.ms(STAGE_CAP_MS.pdf))),
      )
      .then(as('pdf')),
    make
      .wanted('mhtml', () => stages.run('mhtml', 'mhtml', ['mhtml'], STAGE_CAP_MS.mhtml, () => captureMhtml(page)))
      .then(as('mhtml')),
    make
      .wanted('html', () =>
        stages.run('html', 'html', ['html'], STAGE_CAP_MS.html, () => captureHtml(page, followingRedirects(recording))),
      )
      .then((html) => {
        inlined = html?.stats ?? null;
        return as('html')(html?.body ?? null);
      }),
    readAndArchive,
  ]);
  const artifacts = [thumb, screenshot, pdf, mhtml, html, wacz].filter((x): x is CapturedArtifact => x !== null);
  return { artifacts, read, inlined: inlined as Awaited<ReturnType<typeof captureHtml>>['stats'] | null };
}

/** The `report` artifact and the summary the result row keeps. */
function captureReport(
  options: CaptureOptions,
  run: { started: number; navigation: NavigationResult; activity: PageActivity; stages: Stages; maxHeight: number },
  captured: Captured,
  adblockEnabled: boolean,
) {
  const { navigation, activity, stages } = run;
  const { requests, failedCount, adsBlocked, bytes, consoleErrors } = activity;
  const { shot, article } = captured;
  const blocked = (options.proxy?.records ?? [])
    .filter((r) => r.at >= run.started && r.outcome !== 'allowed' && activity.hosts.has(r.hostPort))
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
  const original = navigation.original;
  const report = {
    url: options.url,
    finalUrl: navigation.finalUrl,
    redirects: navigation.redirects,
    httpStatus: navigation.httpStatus,
    contentType: navigation.contentType,
    budgetMs: options.timeoutMs,
    elapsedMs: Date.now() - run.started,
    timings: stages.timings,
    navigation: {
      domContentLoadedTimedOut: navigation.timedOut,
      loadTimedOut: navigation.loadTimedOut,
      networkQuiet: navigation.quiet,
      stoppedLoading: captured.stoppedLoading ?? false,
    },
    settle: captured.settled ?? null,
    recording: recordingSummary(captured.recording),
    requests: { total: requests, failed: failedCount, blocked: blocked.length, adsBlocked, bytes },
    adblock: { enabled: adblockEnabled, blocked: adsBlocked },
    consent: captured.consentReport ?? null,
    failedRequests: activity.failed,
    blockedRequests: blocked.slice(0, LIST_LIMIT),
    screenshot: shot
      ? { height: shot.height, pageHeight: shot.pageHeight, cut: shot.cut, maxHeight: run.maxHeight }
      : null,
    original: original ? { contentType: original.contentType, bytes: original.body.length } : null,
    html: captured.inlined ?? null,
    readability: article ? { found: article.found, textChars: article.text.length } : null,
    consoleErrors,
    stageErrors: stages.stageErrors,
    missing: stages.missing,
  };
  return { summary, report };
}

export async function capturePage(page: Page, options: CaptureOptions): Promise<CaptureOutput> {
  const started = Date.now();
  const budget = createBudget(options.timeoutMs);
  const maxHeight = options.maxHeightPx ?? 16_384;
  const stages = createStages(budget, options.onStage);
  const activity = watchPage(page);
  // Independent set-up round trips to Chromium, sent side by side: each is a few milliseconds,
  // and together they came before every navigation.
  const [network, recorder] = await Promise.all([
    countBytes(page, (n) => {
      activity.bytes += n;
    }),
    startRecording(page, options.record ?? RECORD_DEFAULTS),
    // A snapshot is a still image of the page: no animation burning CPU while it is taken.
    page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]).catch(() => undefined),
    denyDownloads(page),
  ]);
  const { disableBlocking, consent } = await prepareCleanCapture(page, options);

  const navigation = await stages.timed('navigate', 'navigate', () =>
    navigate(page, {
      url: options.url,
      timeoutMs: Math.max(1_000, Math.min(STAGE_CAP_MS.navigate, Math.floor(budget.remaining() * NAVIGATION_SHARE))),
      loadTimeoutMs: stages.ms(STAGE_CAP_MS.load),
      quietTimeoutMs: stages.ms(STAGE_CAP_MS.quiet),
      maxBytes: options.maxBytes,
      proxy: options.proxy,
      inspectDocument: !options.uploaded,
    }),
  );
  const make = imageAndArchiveStages(page, options, stages, { maxHeight, navigation, started });
  const captured = navigation.original
    ? await captureDownload(navigation.original, await stopRecording(recorder, navigation), navigation, make)
    : await captureRendered(page, options, { stages, make, budget, maxHeight, navigation }, recorder, consent);

  await Promise.all([network.detach().catch(() => undefined), disableBlocking?.()]);
  const { summary, report } = captureReport(
    options,
    { started, navigation, activity, stages, maxHeight },
    captured,
    Boolean(disableBlocking),
  );
  const artifacts = [...captured.artifacts, { kind: 'report' as const, body: jsonArtifact(report) }];
  const article = captured.article ?? null;
  const text = article?.text ? article.text.slice(0, RESULT_TEXT_LIMIT) : null;
  const { missing, timings } = stages;
  return {
    navigation,
    metadata: captured.metadata,
    text,
    artifacts,
    missing,
    timings,
    summary,
    recording: captured.recording,
  };
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
