/**
 * How the pages' listener of the egress proxy (proxy.ts) answers each kind of request once the
 * proxy has decided to serve it: plain HTTP is forwarded over a connection to the checked
 * address, CONNECT (https, wss) and upgrades (plain ws://) become byte tunnels to it. Refusals
 * carry the headers the capture reads to tell a blocked navigation from an unreachable one.
 */
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AppError, ErrorCode, ResolvedAddress } from '@linksnap/shared';
import type { EgressRecord } from './proxy.js';
import { refuseRaw } from './strays.js';
import { joinTunnel } from './tunnel.js';

/** Response headers naming why the proxy refused; the capture reads them on the main document. */
export const EGRESS_BLOCKED_HEADER = 'x-egress-blocked';
export const EGRESS_ERROR_HEADER = 'x-egress-error';

/** What a request handler needs from the proxy it runs in. */
export interface ProxyContext {
  /** Checks the target and dials the checked address; records the outcome either way. */
  dial(
    hostname: string,
    port: number,
    meta: { target: string; method: string },
  ): Promise<{ socket: net.Socket; address: ResolvedAddress }>;
  record(entry: Omit<EgressRecord, 'at'>): void;
  /** Refuses a page's request when no capture is running; true when it did. */
  strayed(request: string): boolean;
  /** Every socket either listener accepts or we dial passes here: it gets its 'error' listener. */
  track(socket: net.Socket | Duplex): void;
}

// RFC 9110 §7.6.1: never forwarded; plus the proxy-specific ones.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n';

function stripHopByHop(headers: http.IncomingHttpHeaders, keepUpgrade = false): http.OutgoingHttpHeaders {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    if (keepUpgrade && (lower === 'upgrade' || lower === 'connection')) {
      out[name] = value;
      continue;
    }
    if (HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    out[name] = value;
  }
  return out;
}

/** `host:port` → [hostname, port], accepting `[v6]:port`. */
function splitHostPort(authority: string): { hostname: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/]+):(\d{1,5})$/.exec(authority);
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return null;
  return { hostname: (match[1] as string).toLowerCase(), port };
}

/** An absolute-form request URI with one of `protocols`, or null. */
function absoluteUrl(raw: string | undefined, protocols: readonly string[]): URL | null {
  try {
    const url = new URL(raw ?? '');
    return protocols.includes(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

function refusalHead(
  code: ErrorCode,
  detail: string,
): { status: number; headers: Record<string, string>; body: string } {
  const blocked = code === 'SSRF_BLOCKED';
  const body = `${blocked ? 'Blocked by the egress guard' : 'Upstream unreachable'}: ${detail}\n`;
  return {
    status: blocked ? 403 : 502,
    headers: {
      [blocked ? EGRESS_BLOCKED_HEADER : EGRESS_ERROR_HEADER]: code,
      'content-type': 'text/plain; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'cache-control': 'no-store',
      connection: 'close',
    },
    body,
  };
}

function writeRefusal(res: http.ServerResponse, code: ErrorCode, detail: string): void {
  const { status, headers, body } = refusalHead(code, detail);
  res.writeHead(status, headers);
  res.end(body);
}

function writeRawRefusal(socket: Duplex, code: ErrorCode, detail: string): void {
  const { status, headers, body } = refusalHead(code, detail);
  const reason = status === 403 ? 'Forbidden' : 'Bad Gateway';
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * Only the proxy may name a refusal: a target answering with these headers itself would
 * otherwise turn its own page into a fake egress failure.
 */
function withoutEgressHeaders(headers: http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
  delete headers[EGRESS_BLOCKED_HEADER];
  delete headers[EGRESS_ERROR_HEADER];
  return headers;
}

/** An exchange broken after connecting: an idle timeout is the target being slow, not gone. */
function upstreamErrorCode(err: NodeJS.ErrnoException): ErrorCode {
  return err.code === 'ETIMEDOUT' ? 'NAVIGATION_TIMEOUT' : 'CONNECTION_FAILED';
}

/** Plain HTTP: an absolute-form request URI, forwarded to the checked address. */
export function forwardRequest(ctx: ProxyContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (ctx.strayed(`${req.method} ${req.url}`)) {
    req.resume();
    res.writeHead(403, { connection: 'close' }).end();
    return;
  }
  const url = absoluteUrl(req.url, ['http:']);
  if (!url) {
    res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
    res.end('The egress proxy only forwards absolute http:// URLs.\n');
    return;
  }
  const hostname = url.hostname.toLowerCase();
  const port = url.port ? Number(url.port) : 80;
  const method = req.method ?? 'GET';
  ctx.dial(hostname, port, { target: url.href, method }).then(
    ({ socket }) => relayExchange(ctx, req, res, socket, { url, hostPort: `${hostname}:${port}`, method }),
    (err: AppError) => {
      req.resume();
      writeRefusal(res, err.code, err.detail);
    },
  );
}

/**
 * Sends the page's request over the already-open connection and its response back; a target
 * that breaks off before answering is recorded and answered with a refusal the capture reads.
 */
function relayExchange(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  socket: net.Socket,
  exchange: { url: URL; hostPort: string; method: string },
): void {
  const { url, hostPort, method } = exchange;
  const upstream = http.request({
    method,
    path: `${url.pathname}${url.search}`,
    headers: stripHopByHop(req.headers),
    // The connection is already open to the checked address: no second lookup.
    createConnection: () => socket,
    setHost: false,
  });
  upstream.on('response', (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, withoutEgressHeaders(stripHopByHop(upRes.headers)));
    upRes.pipe(res);
    upRes.on('error', () => res.destroy());
  });
  // Set when the page went away first: the upstream is then destroyed by us, and its
  // "socket hang up" is no failure of the target. Recorded, it read as the target being
  // unreachable to every capture of that host running at the time.
  let clientGone = false;
  upstream.on('error', (err) => {
    if (clientGone || res.headersSent) {
      res.destroy();
      return;
    }
    const code = upstreamErrorCode(err);
    const detail = `${hostPort} broke off the exchange: ${err.message}`;
    ctx.record({ hostPort, target: url.href, method, outcome: 'upstream_failed', code, detail, address: null });
    writeRefusal(res, code, detail);
  });
  res.on('close', () => {
    if (!res.writableFinished) {
      clientGone = true;
      upstream.destroy();
    }
    socket.destroy();
  });
  // `pipe()` rethrows a destination's error when nothing else listens for it.
  res.on('error', () => upstream.destroy());
  req.on('error', () => upstream.destroy());
  req.pipe(upstream);
}

/** Where a tunnel goes, what it is recorded as, and how it starts once its upstream is connected. */
interface Tunnel {
  hostname: string;
  port: number;
  target: string;
  method: string;
  prelude(client: Duplex, upstream: net.Socket): void;
}

/**
 * The one tunnel of the proxy, for CONNECT and upgrades alike: refused as a stray outside a
 * capture, checked and dialled like any request, then its prelude and bytes both ways.
 * `tunnel` is null when the request named no target the proxy understands.
 */
function openTunnel(
  ctx: ProxyContext,
  req: http.IncomingMessage,
  client: Duplex,
  head: Buffer,
  tunnel: Tunnel | null,
): void {
  ctx.track(client);
  if (ctx.strayed(`${req.method} ${req.url}`)) {
    refuseRaw(client);
    return;
  }
  if (!tunnel) {
    client.end(BAD_REQUEST);
    return;
  }
  ctx.dial(tunnel.hostname, tunnel.port, { target: tunnel.target, method: tunnel.method }).then(
    ({ socket }) => {
      tunnel.prelude(client, socket);
      joinTunnel(client, socket, head);
    },
    (err: AppError) => writeRawRefusal(client, err.code, err.detail),
  );
}

/** CONNECT host:port — https and wss tunnels. */
export function tunnelConnect(ctx: ProxyContext, req: http.IncomingMessage, client: Duplex, head: Buffer): void {
  const authority = splitHostPort(req.url ?? '');
  openTunnel(
    ctx,
    req,
    client,
    head,
    authority && {
      ...authority,
      target: `${authority.hostname}:${authority.port}`,
      method: 'CONNECT',
      prelude: (client) => {
        if (!client.destroyed) client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      },
    },
  );
}

/** Upgrades on absolute-form requests (plain ws:// through a proxy that does not CONNECT). */
export function tunnelUpgrade(ctx: ProxyContext, req: http.IncomingMessage, client: Duplex, head: Buffer): void {
  const url = absoluteUrl(req.url, ['http:', 'ws:']);
  openTunnel(
    ctx,
    req,
    client,
    head,
    url && {
      hostname: url.hostname.toLowerCase(),
      port: url.port ? Number(url.port) : 80,
      target: url.href,
      method: req.method ?? 'GET',
      prelude: (_client, upstream) => upstream.write(upgradeRequestHead(req, url)),
    },
  );
}

/** The upgrade request as the target gets it: origin-form, its Upgrade and Connection headers kept. */
function upgradeRequestHead(req: http.IncomingMessage, url: URL): string {
  const headers = stripHopByHop(req.headers, true);
  const lines = Object.entries(headers).flatMap(([k, v]) =>
    Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`],
  );
  return `${req.method} ${url.pathname}${url.search} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
