/**
 * The recorder: every HTTP exchange a page makes during capture (main document, redirect hops,
 * subresources, XHR/fetch), read from the DevTools Network domain on its own CDP session, the
 * way Browsertrix records but without pausing requests (no Fetch interception: the capture's
 * timing is unchanged). The WARC writer (warc.ts) and the self-contained HTML build on it.
 *
 * What is kept:
 * - only exchanges the egress guard let through: a refused CONNECT never has a response, and a
 *   refused plain-HTTP request comes back as the guard's own response (marked by its header),
 *   which is dropped here and appears only in the capture report;
 * - bodies as the page received them after content decoding (Network.getResponseBody), each cut
 *   at `maxBodyBytes` and all together at `maxTotalBytes` (`truncated: 'length'`);
 * - a response still streaming when the recording stops (long poll, media) is kept with what
 *   had arrived (Network.streamResourceContent) and `truncated: 'time'`.
 */
import type { CDPSession, Page, Protocol } from 'puppeteer-core';
import { EGRESS_BLOCKED_HEADER, EGRESS_ERROR_HEADER } from '../egress/proxy.js';
import { textBodyBytes } from './body-bytes.js';

export interface RecordedExchange {
  url: string; // absolute request URL (fragment removed)
  method: string;
  requestHeaders: Record<string, string>;
  status: number;
  statusText: string;
  responseHeaders: Record<string, string>;
  mimeType: string; // Content-Type without parameters, lower case
  body: Buffer; // payload exactly as the page received it (after content decoding)
  truncated: 'length' | 'time' | null; // why the body is incomplete, if it is
  resourceType: string; // CDP ResourceType: Document, Stylesheet, Image, Font, XHR, Fetch, ...
  startedAt: Date;
}
export interface Recording {
  /** Every recorded exchange in order; a redirect is an exchange with a 3xx status and a Location header. */
  exchanges(): RecordedExchange[];
  /** The last successful (2xx) response recorded for this URL (fragment ignored), if any. */
  find(url: string): RecordedExchange | undefined;
}

export interface RecorderOptions {
  /** Largest body kept per response; longer ones are cut and marked `truncated: 'length'`. */
  maxBodyBytes: number;
  /** Largest sum of bodies kept per capture; later bodies are cut (possibly to nothing). */
  maxTotalBytes: number;
  /** How long `stop` waits for bodies still being read from Chromium. */
  drainMs?: number;
}

export interface Recorder {
  /** Stops listening and returns what was recorded; in-flight responses are cut (`time`). */
  stop(): Promise<Recording>;
  /**
   * Replaces the recorded body of the main document (a non-HTML original that navigation
   * streamed off the wire and replaced by a placeholder before Chromium saw it).
   */
  replaceDocument(url: string, body: Buffer, contentType: string): void;
}

/** One request hop being recorded; becomes an exchange once it has a response. */
interface Pending {
  exchange: Omit<RecordedExchange, 'body' | 'truncated'> & {
    body: Buffer | null;
    truncated: RecordedExchange['truncated'];
  };
  responded: boolean;
  done: boolean;
  refused: boolean;
}

const DRAIN_MS = 2_000;

export function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function isRecordable(url: string): boolean {
  return url.startsWith('http://') || url.startsWith('https://');
}

/** CDP joins repeated headers with newlines; names are lower-cased for lookups. */
function headerMap(headers: Protocol.Network.Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    // HTTP/2 pseudo-headers (:authority, :path…) are not headers and cannot be written as such.
    if (!name.startsWith(':')) out[name.toLowerCase()] = String(value);
  }
  return out;
}

function mimeTypeOf(headers: Record<string, string>, fallback: string): string {
  const declared = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return declared || fallback.toLowerCase();
}

function applyResponse(pending: Pending, response: Protocol.Network.Response): void {
  const headers = headerMap(response.headers);
  pending.responded = true;
  pending.refused = headers[EGRESS_BLOCKED_HEADER] !== undefined || headers[EGRESS_ERROR_HEADER] !== undefined;
  Object.assign(pending.exchange, {
    status: response.status,
    statusText: response.statusText,
    responseHeaders: headers,
    mimeType: mimeTypeOf(headers, response.mimeType),
  });
}

/** Keeps the body within the per-response and the remaining total allowance. */
class BodyBudget {
  private used = 0;
  constructor(private readonly options: RecorderOptions) {}

  take(body: Buffer): { body: Buffer; cut: boolean } {
    const allowed = Math.max(0, Math.min(this.options.maxBodyBytes, this.options.maxTotalBytes - this.used));
    const kept = body.length > allowed ? body.subarray(0, allowed) : body;
    this.used += kept.length;
    return { body: kept, cut: kept.length < body.length };
  }
}

export async function startRecording(page: Page, options: RecorderOptions): Promise<Recorder> {
  const session = await page.createCDPSession();
  const state: RecordingState = { hops: [], current: new Map(), reads: [], budget: new BodyBudget(options) };
  const listening = listenToNetwork(session, state);
  await enableNetwork(session, options);

  let replacement: { url: string; body: Buffer; contentType: string } | null = null;
  return {
    replaceDocument(url, body, contentType) {
      replacement = { url: withoutFragment(url), body, contentType };
    },
    async stop() {
      const { hops, current, budget } = state;
      await drain(state.reads, options.drainMs ?? DRAIN_MS);
      const inFlight = hops.filter((h) => h.responded && !h.refused && h.exchange.body === null);
      await Promise.all(inFlight.map((h) => readStreamed(session, current, h, budget)));
      listening.stop();
      await session.detach().catch(() => undefined);
      const recorded = hops.filter((h) => h.responded && !h.refused).map((h) => finish(h));
      if (replacement) substituteDocument(recorded, replacement);
      return recordingOf(recorded);
    },
  };
}

/** What a recording collects while it listens. */
interface RecordingState {
  /** Every request hop, in order. */
  hops: Pending[];
  /** The latest hop of each request id (a redirect starts a new hop under the same id). */
  current: Map<string, Pending>;
  /** Body reads started when their response finished loading. */
  reads: Promise<void>[];
  budget: BodyBudget;
}

/** Follows the Network domain's events into `state` until `stop()`. */
function listenToNetwork(session: CDPSession, state: RecordingState): { stop(): void } {
  const { hops, current, reads, budget } = state;
  const onRequest = (event: Protocol.Network.RequestWillBeSentEvent) => {
    const previous = current.get(event.requestId);
    if (previous && event.redirectResponse) {
      applyResponse(previous, event.redirectResponse);
      previous.exchange.body = Buffer.alloc(0);
      previous.done = true;
    }
    if (!isRecordable(event.request.url)) return;
    const pending = pendingHop(event);
    hops.push(pending);
    current.set(event.requestId, pending);
  };
  // The headers actually sent (cookies and all), which the first event does not carry.
  const onRequestExtra = (event: Protocol.Network.RequestWillBeSentExtraInfoEvent) => {
    const pending = current.get(event.requestId);
    if (pending && !pending.responded) Object.assign(pending.exchange.requestHeaders, headerMap(event.headers));
  };
  const onResponse = (event: Protocol.Network.ResponseReceivedEvent) => {
    const pending = current.get(event.requestId);
    if (!pending) return;
    applyResponse(pending, event.response);
    pending.exchange.resourceType = event.type;
  };
  const onFinished = (event: Protocol.Network.LoadingFinishedEvent) => {
    const pending = current.get(event.requestId);
    if (!pending?.responded || pending.refused) return;
    reads.push(readBody(session, event.requestId, pending, budget, event.encodedDataLength));
  };
  const onFailed = (event: Protocol.Network.LoadingFailedEvent) => {
    const pending = current.get(event.requestId);
    // Failed before any response (refused tunnel, DNS, abort): nothing to record.
    if (pending && !pending.responded) current.delete(event.requestId);
  };

  session.on('Network.requestWillBeSent', onRequest);
  session.on('Network.requestWillBeSentExtraInfo', onRequestExtra);
  session.on('Network.responseReceived', onResponse);
  session.on('Network.loadingFinished', onFinished);
  session.on('Network.loadingFailed', onFailed);
  return {
    stop: () => {
      session.off('Network.requestWillBeSent', onRequest);
      session.off('Network.requestWillBeSentExtraInfo', onRequestExtra);
      session.off('Network.responseReceived', onResponse);
      session.off('Network.loadingFinished', onFinished);
      session.off('Network.loadingFailed', onFailed);
    },
  };
}

/** A new request hop, without its response yet. */
function pendingHop(event: Protocol.Network.RequestWillBeSentEvent): Pending {
  return {
    exchange: {
      url: withoutFragment(event.request.url),
      method: event.request.method,
      requestHeaders: headerMap(event.request.headers),
      status: 0,
      statusText: '',
      responseHeaders: {},
      mimeType: '',
      body: null,
      truncated: null,
      resourceType: event.type ?? 'Other',
      startedAt: new Date(event.wallTime * 1000),
    },
    responded: false,
    done: false,
    refused: false,
  };
}

/**
 * Chromium keeps a body only while it fits its buffers: room beyond the cap lets a longer body
 * be cut (its start kept) rather than lost.
 */
async function enableNetwork(session: CDPSession, options: RecorderOptions): Promise<void> {
  const resourceBuffer = Math.min(Math.max(2 * options.maxBodyBytes, 16 * 1024 * 1024), 512 * 1024 * 1024);
  await session.send('Network.enable', {
    maxResourceBufferSize: resourceBuffer,
    maxTotalBufferSize: Math.max(resourceBuffer, Math.min(2 * options.maxTotalBytes, 1024 * 1024 * 1024)),
  });
}

async function drain(reads: Promise<void>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.all(reads), deadline]);
  clearTimeout(timer);
}

async function readBody(
  session: CDPSession,
  requestId: string,
  pending: Pending,
  budget: BodyBudget,
  receivedBytes: number,
): Promise<void> {
  try {
    const { body, base64Encoded } = await session.send('Network.getResponseBody', { requestId });
    const { responseHeaders, mimeType } = pending.exchange;
    const bytes = base64Encoded
      ? Buffer.from(body, 'base64')
      : textBodyBytes(body, responseHeaders['content-type'], mimeType);
    const kept = budget.take(bytes);
    pending.exchange.body = kept.body;
    pending.exchange.truncated = kept.cut ? 'length' : null;
  } catch {
    // Chromium dropped the body: larger than its buffer (so over the cap), or never kept
    // (a 204, a cached redirect target). Bytes on the wire but none kept: it was cut.
    pending.exchange.body = Buffer.alloc(0);
    const declared = Number(pending.exchange.responseHeaders['content-length'] ?? 0);
    pending.exchange.truncated = declared > 0 || receivedBytes > 1024 ? 'length' : null;
  }
  pending.done = true;
}

/** A response still arriving when the recording stops: keep what Chromium has buffered. */
async function readStreamed(
  session: CDPSession,
  current: Map<string, Pending>,
  pending: Pending,
  budget: BodyBudget,
): Promise<void> {
  const requestId = [...current.entries()].find(([, p]) => p === pending)?.[0];
  let body = Buffer.alloc(0);
  if (requestId && !pending.done) {
    // Not in puppeteer's protocol types yet (Chromium ≥ 126).
    const send = session.send.bind(session) as (method: string, params: object) => Promise<{ bufferedData?: string }>;
    const streamed = await send('Network.streamResourceContent', { requestId }).catch(() => null);
    body = Buffer.from(streamed?.bufferedData ?? '', 'base64');
  }
  pending.exchange.body = budget.take(body).body;
  pending.exchange.truncated = 'time';
}

function finish(pending: Pending): RecordedExchange {
  return { ...pending.exchange, body: pending.exchange.body ?? Buffer.alloc(0) };
}

function substituteDocument(exchanges: RecordedExchange[], doc: { url: string; body: Buffer; contentType: string }) {
  const target = exchanges.findLast((e) => e.url === doc.url && e.resourceType === 'Document');
  if (!target) return;
  target.body = doc.body;
  target.truncated = null;
  target.responseHeaders = { ...target.responseHeaders, 'content-type': doc.contentType };
  target.mimeType = mimeTypeOf(target.responseHeaders, '');
}

export function recordingOf(recorded: RecordedExchange[]): Recording {
  const list = [...recorded];
  return {
    exchanges: () => list,
    find(url) {
      const wanted = withoutFragment(url);
      return list.findLast((e) => e.url === wanted && e.status >= 200 && e.status < 300);
    },
  };
}
