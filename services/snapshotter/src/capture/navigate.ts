/**
 * Navigation: load the target without ever hanging on it, and record what the main document
 * was. `page.goto` waits only for DOMContentLoaded; the load event and network quiet (quiet.ts)
 * are then awaited within short bounds whose timeouts are ignored, so subresources that never
 * answer (or cannot, like every external host in tests) never stall a capture.
 *
 * The main document's response is inspected before Chromium renders it (CDP Fetch, response
 * stage): a non-HTML body (PDF, image, text, JSON…) is streamed off the wire as the `original`
 * artifact, with the size limit enforced while reading (and up front from Content-Length), so
 * a huge download is refused without ever being held in memory.
 *
 * Failures of the main document are decided from the egress proxy's own records first:
 * Chromium reports a refused CONNECT only as ERR_TUNNEL_CONNECTION_FAILED and renders a
 * refused plain-HTTP request as an ordinary 403/502 page.
 */
import { AppError, hostPortOf, isErrorCode } from '@linksnap/shared';
import type { CDPSession, Frame, HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import type { EgressProxy, EgressRecord } from '../egress/proxy.js';
import { EGRESS_BLOCKED_HEADER, EGRESS_ERROR_HEADER } from '../egress/proxy.js';
import { toCaptureError } from '../errors.js';
import { type NetworkActivity, type QuietOutcome, trackNetwork, waitForQuiet } from './quiet.js';

export interface NavigateOptions {
  url: string;
  /** Budget for `page.goto` (DOMContentLoaded). */
  timeoutMs: number;
  /** Bounded wait for the load event after DOMContentLoaded; its timeout is ignored. */
  loadTimeoutMs?: number;
  /** Network-quiet wait after load (see quiet.ts); its timeout is ignored. */
  quietIdleMs?: number;
  /** Silence enough for a page whose network was already still at load. */
  quietGraceMs?: number;
  quietTimeoutMs?: number;
  /** Largest non-HTML body stored as downloaded. */
  maxBytes?: number;
  proxy?: EgressProxy;
  /**
   * Inspect the main document before it renders (non-HTML bodies become the `original`);
   * default true. Off for an uploaded page, which the page's own interception serves.
   */
  inspectDocument?: boolean;
}

/** A non-HTML main document, stored as downloaded. */
export interface OriginalBody {
  body: Buffer;
  contentType: string;
  /** Chromium was given the body back to render (images, text, JSON): a screenshot is possible. */
  rendered: boolean;
}

export interface NavigationResult {
  finalUrl: string;
  httpStatus: number | null;
  contentType: string | null;
  /** host:port of every main-frame navigation request (redirect hops included). */
  hops: string[];
  /** Every URL of the main document's redirect chain, the final one last. */
  redirects: string[];
  /** DOMContentLoaded did not come in time, but the document had arrived: capture what there is. */
  timedOut: boolean;
  /** The load event did not come within its bounded wait. */
  loadTimedOut: boolean;
  /** How the network-quiet wait ended; null when it was skipped (no load event). */
  quiet: QuietOutcome | null;
  original: OriginalBody | null;
}

/**
 * How long after load a page whose network is already still is watched before it counts as
 * quiet: load handlers and short timers start their requests well within it, and a request
 * seen in it turns the wait into the full idle window.
 */
const QUIET_GRACE_MS = 50;

function isHtml(contentType: string | null): boolean {
  if (!contentType) return true;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === '' || type === 'text/html' || type === 'application/xhtml+xml';
}

/** Types Chromium displays itself, so the original can also be screenshotted. */
function isRenderable(contentType: string): boolean {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    (type.startsWith('image/') && type !== 'image/svg+xml') ||
    type === 'text/plain' ||
    type === 'application/json' ||
    type === 'text/json' ||
    type === 'text/csv'
  );
}

interface PausedResponse {
  requestId: string;
  resourceType: string;
  responseStatusCode?: number;
  responseHeaders?: { name: string; value: string }[];
  request: { url: string };
}

/** Reads a Fetch-intercepted body as a stream, refusing it once it exceeds `maxBytes`. */
async function readStream(session: CDPSession, requestId: string, maxBytes: number): Promise<Buffer> {
  const { stream } = await session.send('Fetch.takeResponseBodyAsStream', { requestId });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for (;;) {
      const chunk = await session.send('IO.read', { handle: stream, size: 1 << 20 });
      const data = Buffer.from(chunk.data, chunk.base64Encoded ? 'base64' : 'utf8');
      total += data.length;
      if (total > maxBytes) {
        throw new AppError('CONTENT_TOO_LARGE', `The response is larger than the ${maxBytes}-byte capture limit.`);
      }
      chunks.push(data);
      if (chunk.eof) break;
    }
  } finally {
    await session.send('IO.close', { handle: stream }).catch(() => undefined);
  }
  return Buffer.concat(chunks);
}

export async function navigate(page: Page, options: NavigateOptions): Promise<NavigationResult> {
  // Counted from before the document is requested, so the quiet wait knows what is in flight.
  const network = trackNetwork(page);
  const load = trackLoad(page);
  try {
    return await navigateTracked(page, options, network, load);
  } finally {
    network.stop();
    load.stop();
  }
}

interface LoadWatch {
  /** Resolves true once the current main document has fired `load`, false after `timeoutMs`. */
  wait(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

/**
 * Follows the main document's load event from the events Chromium already sends (no round
 * trip: puppeteer's waitForFunction first injects its poller script into the new page, which
 * cost 30–40 ms of every capture). A main-frame navigation (a script redirect) starts over.
 */
function trackLoad(page: Page): LoadWatch {
  let loaded = false;
  let waiter: (() => void) | null = null;
  const onLoad = () => {
    loaded = true;
    waiter?.();
  };
  const onNavigated = (frame: Frame) => {
    if (frame === page.mainFrame()) loaded = false;
  };
  page.on('load', onLoad);
  page.on('framenavigated', onNavigated);
  return {
    wait: (timeoutMs) =>
      loaded
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => {
              waiter = null;
              resolve(false);
            }, timeoutMs);
            waiter = () => {
              clearTimeout(timer);
              waiter = null;
              resolve(true);
            };
          }),
    stop: () => {
      page.off('load', onLoad);
      page.off('framenavigated', onNavigated);
      waiter = null;
    },
  };
}

async function navigateTracked(
  page: Page,
  options: NavigateOptions,
  network: NetworkActivity,
  load: LoadWatch,
): Promise<NavigationResult> {
  const started = Date.now();
  const mainFrame = watchMainFrame(page, options.url);
  const refusedHop = () => options.proxy?.lastFailure(mainFrame.hops, started);
  const inspector = await inspectMainDocument(page, {
    maxBytes: options.maxBytes ?? 100 * 1024 * 1024,
    enabled: options.inspectDocument !== false,
  });
  const { response, timedOut } = await loadDocument(page, options, { mainFrame, inspector, refusedHop });
  const originalError = inspector.error();
  if (originalError) throw originalError;

  const headers = response?.headers() ?? {};
  throwIfProxyRefusal(headers, refusedHop);

  let loadTimedOut = false;
  if (!timedOut) {
    loadTimedOut = !(await load.wait(options.loadTimeoutMs ?? 5_000));
  }
  // A document that never finished loading has a request that never ends: no quiet to wait for.
  let quiet: QuietOutcome | null = null;
  if (!timedOut && !loadTimedOut) {
    quiet = await waitForQuiet(network, {
      idleMs: options.quietIdleMs ?? 500,
      graceMs: options.quietGraceMs ?? QUIET_GRACE_MS,
      timeoutMs: options.quietTimeoutMs ?? 3_000,
    });
  }

  const original = inspector.original();
  return {
    finalUrl: page.url(),
    httpStatus: response?.status() ?? null,
    contentType: original?.contentType ?? headers['content-type'] ?? null,
    hops: [...mainFrame.hops],
    redirects: mainFrame.redirects,
    timedOut,
    loadTimedOut,
    quiet,
    original,
  };
}

interface MainFrameWatch {
  /** host:port of every main-frame navigation request, the first URL's included. */
  readonly hops: Set<string>;
  /** Every URL the main frame got a response for, newest last. */
  readonly redirects: string[];
  /** The main frame's latest response, if any came. */
  lastResponse(): HTTPResponse | null;
  stop(): void;
}

/** Follows the main frame's navigation requests and responses (redirect hops included). */
function watchMainFrame(page: Page, url: string): MainFrameWatch {
  const hops = new Set<string>();
  const redirects: string[] = [];
  const first = hostPortOf(url);
  if (first) hops.add(first);
  const onRequest = (req: HTTPRequest) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      const hp = hostPortOf(req.url());
      if (hp) hops.add(hp);
    }
  };
  let mainResponse: HTTPResponse | null = null;
  const onResponse = (res: HTTPResponse) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      redirects.push(res.url());
      mainResponse = res;
    }
  };
  page.on('request', onRequest);
  page.on('response', onResponse);
  return {
    hops,
    redirects,
    lastResponse: () => mainResponse,
    stop: () => {
      page.off('request', onRequest);
      page.off('response', onResponse);
    },
  };
}

/**
 * `page.goto` up to DOMContentLoaded. A document that arrived but never finished parsing is
 * kept (`timedOut`); any other failure is thrown, as the proxy's refusal of a hop when it
 * recorded one. Stops watching the main frame and the document either way.
 */
async function loadDocument(
  page: Page,
  options: NavigateOptions,
  watch: { mainFrame: MainFrameWatch; inspector: DocumentInspector; refusedHop: () => EgressRecord | undefined },
): Promise<{ response: HTTPResponse | null; timedOut: boolean }> {
  const { mainFrame, inspector, refusedHop } = watch;
  try {
    const response = await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout: options.timeoutMs });
    return { response, timedOut: false };
  } catch (err) {
    await inspector.settled();
    const originalError = inspector.error();
    if (originalError) throw originalError;
    const error = toCaptureError(err);
    // The document arrived but never finished parsing: keep going with what is there. (Its
    // host's other exchanges may have broken off since; they are not the document's failure.
    // A document that is the proxy's own error page is caught below by its header.)
    const arrived = mainFrame.lastResponse();
    if (error.code === 'NAVIGATION_TIMEOUT' && arrived !== null) return { response: arrived, timedOut: true };
    const refused = refusedHop();
    if (refused?.code) throw new AppError(refused.code, refused.detail, { cause: err });
    throw error;
  } finally {
    mainFrame.stop();
    await inspector.stop();
  }
}

/**
 * The page is the proxy's own refusal (it strips these headers from targets' answers): never a
 * capture of the target. Its record says why; the header names the code too.
 */
function throwIfProxyRefusal(headers: Record<string, string>, refusedHop: () => EgressRecord | undefined): void {
  const proxyCode = headers[EGRESS_BLOCKED_HEADER] ?? headers[EGRESS_ERROR_HEADER];
  if (proxyCode === undefined) return;
  const refused = refusedHop();
  if (refused?.code) throw new AppError(refused.code, refused.detail);
  throw new AppError(
    isErrorCode(proxyCode) ? proxyCode : 'CONNECTION_FAILED',
    `The egress proxy refused: ${proxyCode}`,
  );
}

interface DocumentInspector {
  /** The non-HTML main document kept as downloaded, once handled. */
  original(): OriginalBody | null;
  /** Why the main document could not be kept (too large, unreadable), once handled. */
  error(): AppError | null;
  /** Resolves once every response paused so far has been handled. */
  settled(): Promise<void>;
  /** Stops intercepting, waits for what is in hand, and detaches. */
  stop(): Promise<void>;
}

interface InspectionState {
  /** Until the first final main-document response: everything after it is left alone. */
  intercepting: boolean;
  original: OriginalBody | null;
  error: AppError | null;
}

/** Inspects the main document's response before it is rendered (CDP Fetch, response stage). */
async function inspectMainDocument(
  page: Page,
  options: { maxBytes: number; enabled: boolean },
): Promise<DocumentInspector> {
  const state: InspectionState = { intercepting: true, original: null, error: null };
  let handling: Promise<void> = Promise.resolve();
  const session = await page.createCDPSession();
  // One at a time, in order: the first final main-document response decides for all after it.
  const onPaused = (event: PausedResponse) => {
    handling = handling.then(() => handlePausedResponse(session, event, state, options.maxBytes));
  };
  if (options.enabled) {
    session.on('Fetch.requestPaused', onPaused as never);
    await session.send('Fetch.enable', {
      patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' }],
    });
  }
  return {
    original: () => state.original,
    error: () => state.error,
    settled: () => handling,
    stop: async () => {
      session.off('Fetch.requestPaused', onPaused as never);
      await handling;
      await session.detach().catch(() => undefined);
    },
  };
}

/** Lets a response through, unless it is the first final main document and not HTML: that one is kept. */
async function handlePausedResponse(
  session: CDPSession,
  event: PausedResponse,
  state: InspectionState,
  maxBytes: number,
): Promise<void> {
  const status = event.responseStatusCode ?? 0;
  const headers = event.responseHeaders ?? [];
  const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? null;
  const contentType = header('content-type');
  const main = state.intercepting && event.resourceType === 'Document';
  try {
    if (!main || (status >= 300 && status < 400)) {
      await session.send('Fetch.continueRequest', { requestId: event.requestId });
      return;
    }
    state.intercepting = false;
    if (isHtml(contentType) || status >= 400 || header(EGRESS_BLOCKED_HEADER) || header(EGRESS_ERROR_HEADER)) {
      await session.send('Fetch.continueRequest', { requestId: event.requestId });
      return;
    }
    await keepOriginal(session, event, state, {
      contentType: contentType ?? 'application/octet-stream',
      declaredBytes: Number(header('content-length')),
      maxBytes,
    });
  } catch {
    // The request may already be gone (navigation cancelled): nothing to release.
  }
  if (!state.intercepting) await session.send('Fetch.disable').catch(() => undefined);
}

/**
 * Streams a non-HTML main document off the wire into `state.original` (or its refusal into
 * `state.error`), then gives Chromium something to render in its place.
 */
async function keepOriginal(
  session: CDPSession,
  event: PausedResponse,
  state: InspectionState,
  body: { contentType: string; declaredBytes: number; maxBytes: number },
): Promise<void> {
  const { contentType: type, declaredBytes: declared, maxBytes } = body;
  if (Number.isFinite(declared) && declared > maxBytes) {
    state.error = new AppError(
      'CONTENT_TOO_LARGE',
      `The response declares ${declared} bytes; the capture limit is ${maxBytes}.`,
    );
    await session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'Aborted' });
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readStream(session, event.requestId, maxBytes);
  } catch (err) {
    state.error = toCaptureError(err);
    await session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'Aborted' });
    return;
  }
  const rendered = isRenderable(type);
  state.original = { body: bytes, contentType: type, rendered };
  if (rendered) {
    await session.send('Fetch.fulfillRequest', {
      requestId: event.requestId,
      responseCode: event.responseStatusCode ?? 0,
      responseHeaders: (event.responseHeaders ?? []).filter(
        (h) => !/^(content-length|content-encoding|transfer-encoding)$/i.test(h.name),
      ),
      body: bytes.toString('base64'),
    });
  } else {
    // Kept as downloaded; Chromium would only offer it as a download.
    await session.send('Fetch.fulfillRequest', {
      requestId: event.requestId,
      responseCode: 200,
      responseHeaders: [{ name: 'content-type', value: 'text/html; charset=utf-8' }],
      body: Buffer.from('<!doctype html><title></title>').toString('base64'),
    });
  }
}
