/**
 * A minimal recording built from puppeteer's response events, standing in for the WARC
 * recorder of the archive-record branch (capture/recorder.ts) until that is merged: the same
 * `Recording` shape, so swapping it is one import in capture/index.ts. It keeps what the page
 * received (bodies read from Chromium once each request finished, never downloaded again),
 * redirects as 3xx exchanges, and never the egress guard's own refusal pages.
 */
import type { HTTPRequest, HTTPResponse, Page } from 'puppeteer-core';
import { EGRESS_BLOCKED_HEADER, EGRESS_ERROR_HEADER } from '../egress/proxy.js';
import type { RecordedExchange, Recording } from './recording.types.js';

export interface ResponseRecorder {
  /** Stops listening and waits (bounded) for the bodies still being read. */
  stop(waitMs?: number): Promise<Recording>;
}

/** CDP's spelling of puppeteer's lower-case resource types. */
const RESOURCE_TYPES: Record<string, string> = {
  xhr: 'XHR',
  eventsource: 'EventSource',
  texttrack: 'TextTrack',
  websocket: 'WebSocket',
  cspviolationreport: 'CSPViolationReport',
};

export function recordResponses(page: Page, maxBodyBytes: number): ResponseRecorder {
  const exchanges: RecordedExchange[] = [];
  const pending = new Set<Promise<void>>();
  const onResponse = (response: HTTPResponse) => {
    // Redirects end no request: they are recorded here, everything else once it finished.
    if (isRedirect(response) && isRecordable(response)) exchanges.push(exchangeOf(response, Buffer.alloc(0), null));
  };
  const onFinished = (request: HTTPRequest) => {
    const response = request.response();
    if (!response || isRedirect(response) || !isRecordable(response)) return;
    const read = readBody(response, maxBodyBytes).then(({ body, truncated }) => {
      exchanges.push(exchangeOf(response, body, truncated));
    });
    pending.add(read);
    read.finally(() => pending.delete(read));
  };
  page.on('response', onResponse);
  page.on('requestfinished', onFinished);
  return {
    async stop(waitMs = 2_000) {
      page.off('response', onResponse);
      page.off('requestfinished', onFinished);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      });
      await Promise.race([Promise.all(pending), deadline]);
      clearTimeout(timer);
      return recordingOf([...exchanges]);
    },
  };
}

/** A Recording over a fixed list of exchanges. */
export function recordingOf(exchanges: RecordedExchange[]): Recording {
  const byUrl = new Map<string, RecordedExchange>();
  for (const exchange of exchanges) {
    if (exchange.status >= 200 && exchange.status < 300) byUrl.set(withoutFragment(exchange.url), exchange);
  }
  return {
    exchanges: () => exchanges,
    find: (url) => byUrl.get(withoutFragment(url)),
  };
}

function withoutFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function isRedirect(response: HTTPResponse): boolean {
  return response.status() >= 300 && response.status() < 400 && Boolean(response.headers().location);
}

/** Only http(s) traffic the egress guard let through. */
function isRecordable(response: HTTPResponse): boolean {
  const headers = response.headers();
  if (headers[EGRESS_BLOCKED_HEADER] !== undefined || headers[EGRESS_ERROR_HEADER] !== undefined) return false;
  return /^https?:/i.test(response.url());
}

async function readBody(
  response: HTTPResponse,
  maxBodyBytes: number,
): Promise<{ body: Buffer; truncated: RecordedExchange['truncated'] }> {
  const declared = Number(response.headers()['content-length'] ?? 0);
  if (declared > maxBodyBytes) return { body: Buffer.alloc(0), truncated: 'length' };
  try {
    const body = Buffer.from(await response.content());
    return body.length > maxBodyBytes
      ? { body: body.subarray(0, maxBodyBytes), truncated: 'length' }
      : { body, truncated: null };
  } catch {
    // Chromium no longer holds the body (evicted, or the page navigated away).
    return { body: Buffer.alloc(0), truncated: 'time' };
  }
}

function exchangeOf(response: HTTPResponse, body: Buffer, truncated: RecordedExchange['truncated']): RecordedExchange {
  const request = response.request();
  const type = request.resourceType();
  return {
    url: withoutFragment(response.url()),
    method: request.method(),
    requestHeaders: request.headers(),
    status: response.status(),
    statusText: response.statusText(),
    responseHeaders: response.headers(),
    mimeType: (response.headers()['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '',
    body,
    truncated,
    resourceType: RESOURCE_TYPES[type] ?? type.charAt(0).toUpperCase() + type.slice(1),
    startedAt: new Date(),
  };
}
