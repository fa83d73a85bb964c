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
import type { EgressProxy } from '../egress/proxy.js';
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
  const hops = new Set<string>();
  const redirects: string[] = [];
  const first = hostPortOf(options.url);
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
  const refusedHop = () => options.proxy?.lastFailure(hops, started);

  // Inspect the main document's response before it is rendered.
  const maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  let original: OriginalBody | null = null;
  let originalError: AppError | null = null;
  let intercepting = true;
  let handling: Promise<void> = Promise.resolve();
  const session = await page.createCDPSession();
  const onPaused = (event: PausedResponse) => {
    handling = handling.then(async () => {
      const status = event.responseStatusCode ?? 0;
      const headers = event.responseHeaders ?? [];
      const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value ?? null;
      const contentType = header('content-type');
      const main = intercepting && event.resourceType === 'Document';
      try {
        if (!main || (status >= 300 && status < 400)) {
          await session.send('Fetch.continueRequest', { requestId: event.requestId });
          return;
        }
        // The first final main-document response: everything after it is left alone.
        intercepting = false;
        if (isHtml(contentType) || status >= 400 || header(EGRESS_BLOCKED_HEADER) || header(EGRESS_ERROR_HEADER)) {
          await session.send('Fetch.continueRequest', { requestId: event.requestId });
          return;
        }
        const type = contentType ?? 'application/octet-stream';
        const declared = Number(header('content-length'));
        if (Number.isFinite(declared) && declared > maxBytes) {
          originalError = new AppError(
            'CONTENT_TOO_LARGE',
            `The response declares ${declared} bytes; the capture limit is ${maxBytes}.`,
          );
          await session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'Aborted' });
          return;
        }
        let body: Buffer;
        try {
          body = await readStream(session, event.requestId, maxBytes);
        } catch (err) {
          originalError = toCaptureError(err);
          await session.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'Aborted' });
          return;
        }
        const rendered = isRenderable(type);
        original = { body, contentType: type, rendered };
        if (rendered) {
          await session.send('Fetch.fulfillRequest', {
            requestId: event.requestId,
            responseCode: status,
            responseHeaders: headers.filter(
              (h) => !/^(content-length|content-encoding|transfer-encoding)$/i.test(h.name),
            ),
            body: body.toString('base64'),
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
      } catch {
        // The request may already be gone (navigation cancelled): nothing to release.
      }
      if (!intercepting) await session.send('Fetch.disable').catch(() => undefined);
    });
  };
  if (options.inspectDocument !== false) {
    session.on('Fetch.requestPaused', onPaused as never);
    await session.send('Fetch.enable', {
      patterns: [{ urlPattern: '*', resourceType: 'Document', requestStage: 'Response' }],
    });
  }

  let timedOut = false;
  let response: HTTPResponse | null = null;
  try {
    response = await page.goto(options.url, { waitUntil: 'domcontentloaded', timeout: options.timeoutMs });
  } catch (err) {
    await handling;
    if (originalError) throw originalError;
    const error = toCaptureError(err);
    // The document arrived but never finished parsing: keep going with what is there. (Its
    // host's other exchanges may have broken off since; they are not the document's failure.
    // A document that is the proxy's own error page is caught below by its header.)
    if (error.code === 'NAVIGATION_TIMEOUT' && mainResponse !== null) {
      timedOut = true;
      response = mainResponse;
    } else {
      const refused = refusedHop();
      if (refused?.code) throw new AppError(refused.code, refused.detail, { cause: err });
      throw error;
    }
  } finally {
    page.off('request', onRequest);
    page.off('response', onResponse);
    session.off('Fetch.requestPaused', onPaused as never);
    await handling;
    await session.detach().catch(() => undefined);
  }
  if (originalError) throw originalError;

  const headers = response?.headers() ?? {};
  const proxyCode = headers[EGRESS_BLOCKED_HEADER] ?? headers[EGRESS_ERROR_HEADER];
  if (proxyCode !== undefined) {
    // The page is the proxy's own refusal (it strips these headers from targets' answers):
    // never a capture of the target. Its record says why; the header names the code too.
    const refused = refusedHop();
    if (refused?.code) throw new AppError(refused.code, refused.detail);
    throw new AppError(
      isErrorCode(proxyCode) ? proxyCode : 'CONNECTION_FAILED',
      `The egress proxy refused: ${proxyCode}`,
    );
  }

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

  const finalOriginal = original as OriginalBody | null;
  return {
    finalUrl: page.url(),
    httpStatus: response?.status() ?? null,
    contentType: finalOriginal?.contentType ?? headers['content-type'] ?? null,
    hops: [...hops],
    redirects,
    timedOut,
    loadTimedOut,
    quiet,
    original: finalOriginal,
  };
}
