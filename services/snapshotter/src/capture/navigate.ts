/**
 * Navigation: load the target, wait (bounded) for the network to go quiet, and record what the
 * main document was. Failures of the main document are decided from the egress proxy's own
 * records first: Chromium reports a refused CONNECT only as ERR_TUNNEL_CONNECTION_FAILED and
 * renders a refused plain-HTTP request as an ordinary 403/502 page.
 */
import { AppError, hostPort } from '@linksnap/shared';
import type { HTTPRequest, Page } from 'puppeteer-core';
import type { EgressProxy } from '../egress/proxy.js';
import { EGRESS_BLOCKED_HEADER, EGRESS_ERROR_HEADER } from '../egress/proxy.js';
import { toCaptureError } from '../errors.js';

export interface NavigateOptions {
  url: string;
  /** Budget for `page.goto` (load event). */
  timeoutMs: number;
  /** Network-quiet wait after load; its timeout is ignored. */
  quietIdleMs?: number;
  quietTimeoutMs?: number;
  proxy?: EgressProxy;
}

export interface NavigationResult {
  finalUrl: string;
  httpStatus: number | null;
  contentType: string | null;
  /** host:port of every main-frame navigation request (redirect hops included). */
  hops: string[];
}

function hostPortOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? hostPort(parsed) : null;
  } catch {
    return null;
  }
}

export async function navigate(page: Page, options: NavigateOptions): Promise<NavigationResult> {
  const started = Date.now();
  const hops = new Set<string>();
  const first = hostPortOf(options.url);
  if (first) hops.add(first);
  const onRequest = (req: HTTPRequest) => {
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) {
      const hp = hostPortOf(req.url());
      if (hp) hops.add(hp);
    }
  };
  page.on('request', onRequest);
  const refusedHop = () => options.proxy?.lastFailure(hops, started);

  let response: Awaited<ReturnType<Page['goto']>>;
  try {
    response = await page.goto(options.url, { waitUntil: 'load', timeout: options.timeoutMs });
  } catch (err) {
    const refused = refusedHop();
    if (refused?.code) throw new AppError(refused.code, refused.detail, { cause: err });
    throw toCaptureError(err);
  } finally {
    page.off('request', onRequest);
  }

  const headers = response?.headers() ?? {};
  const proxyCode = headers[EGRESS_BLOCKED_HEADER] ?? headers[EGRESS_ERROR_HEADER];
  if (proxyCode !== undefined) {
    // The page is the proxy's refusal, not the target's (unless no proxy: trust the header).
    const refused = refusedHop();
    if (refused?.code) throw new AppError(refused.code, refused.detail);
    if (!options.proxy) throw new AppError(proxyCode === 'SSRF_BLOCKED' ? 'SSRF_BLOCKED' : 'CONNECTION_FAILED');
  }

  await page
    .waitForNetworkIdle({ idleTime: options.quietIdleMs ?? 500, timeout: options.quietTimeoutMs ?? 4_000 })
    .catch(() => undefined);

  return {
    finalUrl: page.url(),
    httpStatus: response?.status() ?? null,
    contentType: headers['content-type'] ?? null,
    hops: [...hops],
  };
}
