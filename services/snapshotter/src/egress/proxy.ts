/**
 * The egress guard: a local HTTP forwarding proxy that is Chromium's only way out. Every
 * plain-HTTP request (absolute-form URI), CONNECT tunnel (https, wss) and upgrade is checked by
 * `resolveEgressTarget`, then dialled at the exact address that was checked, so DNS rebinding
 * cannot swap the address between the check and the connection. Each decision is recorded so
 * the capture can tell whether its own navigation was refused, and why.
 *
 * Pages reach it through their browser context's proxy (`contextOptions`). What Chromium asks
 * for itself, outside any page (component and extension updates, Google account checks,
 * network time: Debian's build sends all of these within seconds of starting), goes through
 * the launch-wide proxy (`chromiumArgs`), a second listener that refuses everything without
 * dialling: a capture worker has no business talking to anyone its pages did not ask for.
 * Requests on the pages' listener while no capture runs are refused too; both kinds are
 * counted as strays (strays.ts).
 */
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import {
  AppError,
  cachingResolver,
  type ErrorCode,
  type Logger,
  type ResolvedAddress,
  type Resolver,
  resolveEgressTarget,
  systemResolver,
} from '@linksnap/shared';
import { createStrayGuard, refuseRaw, type StrayRequest, startRefusingListener } from './strays.js';
import { guardSocket, joinTunnel } from './tunnel.js';

/**
 * `upstream_failed`: the connection was made but the exchange broke (reset, hang-up, idle
 * timeout) before a response came; recorded after the `allowed` record of the same request.
 */
export type EgressOutcome = 'allowed' | 'blocked' | 'dns_failed' | 'connect_failed' | 'upstream_failed';

/** One decision of the proxy, newest last in `EgressProxy.records`. */
export interface EgressRecord {
  /** `Date.now()` when the decision was taken. */
  at: number;
  /** Lower-case `host:port` as requested (IPv6 in brackets). */
  hostPort: string;
  /** Full URL for plain HTTP, `host:port` for tunnels. */
  target: string;
  method: string;
  outcome: EgressOutcome;
  /** Catalog code when the request did not go through. */
  code: ErrorCode | null;
  detail: string;
  /** The address that was dialled (or would have been). */
  address: string | null;
}

export interface EgressProxyOptions {
  /** `host:port` entries that bypass the address check (config.EGRESS_ALLOW). */
  allow: readonly string[];
  /** Refuse everything not allow-listed (config.EGRESS_ALLOW_ONLY, tests). */
  allowOnly?: boolean;
  /** Name resolution; injected in tests to simulate hostile DNS. */
  resolver?: Resolver;
  logger?: Logger;
  /**
   * Opens the upstream connection to the checked address. Injected in tests so a "public"
   * address from a fake resolver is never really dialled.
   */
  dial?: (address: ResolvedAddress, port: number) => net.Socket;
  /** Idle sockets (client or upstream) are closed after this long. */
  idleTimeoutMs?: number;
  /** Dial timeout per upstream connection. */
  connectTimeoutMs?: number;
  /** How many records are kept (oldest dropped first). */
  maxRecords?: number;
  /** Called for each refused request that belonged to no running capture (a metric). */
  onStray?: (stray: StrayRequest) => void;
}

export interface EgressProxy {
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /**
   * Chromium flags: the browser's own requests go to the refusing listener; WebRTC may not
   * send UDP around the proxy.
   */
  chromiumArgs(): string[];
  /** Options for every page's browser context: all of its requests, loopback included, come here. */
  contextOptions(): { proxyServer: string; proxyBypassList: string[] };
  /**
   * The refusing listener as a context's proxy, for a page that may reach nobody (an uploaded
   * capture): whatever it still sends is refused without dialling and counted as a stray.
   */
  refusingProxyServer(): string;
  /** The browser's own requests refused so far (`CONNECT host:port` or `METHOD url`), newest last. */
  readonly browserRequests: readonly string[];
  /** Every refused request that belonged to no running capture (bounded), newest last. */
  readonly strayRequests: readonly StrayRequest[];
  /** How many requests were refused as strays since start. */
  strayCount(): number;
  /**
   * Marks a capture as running until the returned function is called: the pages' listener
   * refuses every request while none is.
   */
  beginCapture(): () => void;
  readonly records: readonly EgressRecord[];
  /** Latest record for `hostPort` taken at or after `since` (ms epoch). */
  lastRecord(hostPort: string, since?: number): EgressRecord | undefined;
  /** Latest refused request (any outcome but `allowed`) for one of `hostPorts` since `since`. */
  lastFailure(hostPorts: Iterable<string>, since?: number): EgressRecord | undefined;
  close(): Promise<void>;
}

/** Response headers naming why the proxy refused; the capture reads them on the main document. */
export const EGRESS_BLOCKED_HEADER = 'x-egress-blocked';
export const EGRESS_ERROR_HEADER = 'x-egress-error';

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

function refusal(err: unknown): { outcome: EgressOutcome; code: ErrorCode; detail: string } {
  if (err instanceof AppError && (err.code === 'SSRF_BLOCKED' || err.code === 'DNS_FAILED')) {
    return { outcome: err.code === 'SSRF_BLOCKED' ? 'blocked' : 'dns_failed', code: err.code, detail: err.detail };
  }
  return { outcome: 'connect_failed', code: 'CONNECTION_FAILED', detail: (err as Error)?.message ?? String(err) };
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

const defaultDial = (address: ResolvedAddress, port: number): net.Socket =>
  net.connect({ host: address.address, port, family: address.family });

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const maxRecords = options.maxRecords ?? 2_000;
  const records: EgressRecord[] = [];
  const sockets = new Set<net.Socket | Duplex>();
  const log = options.logger;
  // A page opens up to six connections per host at once and queues the rest behind them; with
  // a name that fails slowly (a resolver that times out), each of them waited for its own
  // lookup on libuv's 4-thread pool, so one dead host held the load event for rounds of
  // timeouts. Concurrent lookups of a name now share one, and a failure is reused for 10 s.
  // A successful answer is not kept: every later connection resolves afresh (rebinding).
  const resolver = cachingResolver(options.resolver ?? systemResolver, { ttlMs: 0, failureTtlMs: 10_000 });
  const strays = createStrayGuard({ logger: log, onStray: options.onStray });
  /** Refuses a page's request when no capture is running; true when it did. */
  const strayed = (request: string): boolean => {
    if (strays.capturing()) return false;
    strays.refuse({ listener: 'page', request });
    return true;
  };

  /** Every socket either listener accepts or we dial passes here: it gets its 'error' listener. */
  const track = (socket: net.Socket | Duplex) => {
    guardSocket(socket);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const record = (entry: Omit<EgressRecord, 'at'>): void => {
    records.push({ at: Date.now(), ...entry });
    if (records.length > maxRecords) records.splice(0, records.length - maxRecords);
    if (entry.outcome !== 'allowed') log?.info({ egress: entry }, 'egress refused');
  };

  /** Checks the target and dials the checked address; records the outcome either way. */
  const dial = async (
    hostname: string,
    port: number,
    meta: { target: string; method: string },
  ): Promise<{ socket: net.Socket; address: ResolvedAddress }> => {
    const hostPort = `${hostname}:${port}`;
    let address: ResolvedAddress;
    try {
      address = await resolveEgressTarget(hostname, port, {
        allow: options.allow,
        allowOnly: options.allowOnly,
        resolver,
      });
    } catch (err) {
      const r = refusal(err);
      record({ hostPort, ...meta, ...r, address: null });
      throw new AppError(r.code, r.detail, { cause: err });
    }
    const socket = (options.dial ?? defaultDial)(address, port);
    track(socket);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`connect to ${address.address}:${port} timed out`)),
          connectTimeoutMs,
        );
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
    } catch (err) {
      socket.destroy();
      const detail = `${hostPort} (${address.address}) could not be reached: ${(err as Error).message}`;
      record({
        hostPort,
        ...meta,
        outcome: 'connect_failed',
        code: 'CONNECTION_FAILED',
        detail,
        address: address.address,
      });
      throw new AppError('CONNECTION_FAILED', detail, { cause: err });
    }
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    record({ hostPort, ...meta, outcome: 'allowed', code: null, detail: '', address: address.address });
    return { socket, address };
  };

  const server = http.createServer();
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 15_000;
  server.requestTimeout = 0;
  server.on('connection', (socket: net.Socket) => {
    track(socket);
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  });

  // Plain HTTP: absolute-form request URI.
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (strayed(`${req.method} ${req.url}`)) {
      req.resume();
      res.writeHead(403, { connection: 'close' }).end();
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:') throw new Error('not http');
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' });
      res.end('The egress proxy only forwards absolute http:// URLs.\n');
      return;
    }
    const hostname = url.hostname.toLowerCase();
    const port = url.port ? Number(url.port) : 80;
    const method = req.method ?? 'GET';
    dial(hostname, port, { target: url.href, method }).then(
      ({ socket }) => {
        const upstream = http.request({
          method,
          path: `${url.pathname}${url.search}`,
          headers: stripHopByHop(req.headers),
          // The connection is already open to the checked address: no second lookup.
          createConnection: () => socket,
          setHost: false,
        });
        upstream.on('response', (upRes) => {
          res.writeHead(
            upRes.statusCode ?? 502,
            upRes.statusMessage,
            withoutEgressHeaders(stripHopByHop(upRes.headers)),
          );
          upRes.pipe(res);
          upRes.on('error', () => res.destroy());
        });
        // Set when the page went away first: the upstream is then destroyed by us, and its
        // "socket hang up" is no failure of the target. Recorded, it read as the target being
        // unreachable to every capture of that host running at the time.
        let clientGone = false;
        upstream.on('error', (err) => {
          if (!clientGone && !res.headersSent) {
            const code = upstreamErrorCode(err);
            const detail = `${hostname}:${port} broke off the exchange: ${err.message}`;
            record({
              hostPort: `${hostname}:${port}`,
              target: url.href,
              method,
              outcome: 'upstream_failed',
              code,
              detail,
              address: null,
            });
            const { status, headers, body } = refusalHead(code, detail);
            res.writeHead(status, headers);
            res.end(body);
          } else {
            res.destroy();
          }
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
      },
      (err: AppError) => {
        const { status, headers, body } = refusalHead(err.code, err.detail);
        req.resume();
        res.writeHead(status, headers);
        res.end(body);
      },
    );
  });

  // CONNECT host:port — https and wss tunnels.
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    if (strayed(`CONNECT ${req.url}`)) return refuseRaw(client);
    const target = splitHostPort(req.url ?? '');
    if (!target) {
      client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    dial(target.hostname, target.port, { target: `${target.hostname}:${target.port}`, method: 'CONNECT' }).then(
      ({ socket }) => {
        if (!client.destroyed) client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        joinTunnel(client, socket, head);
      },
      (err: AppError) => writeRawRefusal(client, err.code, err.detail),
    );
  });

  // Upgrades on absolute-form requests (plain ws:// through a proxy that does not CONNECT).
  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    if (strayed(`${req.method} ${req.url}`)) return refuseRaw(client);
    let url: URL;
    try {
      url = new URL(req.url ?? '');
      if (url.protocol !== 'http:' && url.protocol !== 'ws:') throw new Error('bad');
    } catch {
      client.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const port = url.port ? Number(url.port) : 80;
    dial(url.hostname.toLowerCase(), port, { target: url.href, method: req.method ?? 'GET' }).then(
      ({ socket }) => {
        const headers = stripHopByHop(req.headers, true);
        const lines = Object.entries(headers).flatMap(([k, v]) =>
          Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`],
        );
        socket.write(`${req.method} ${url.pathname}${url.search} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
        joinTunnel(client, socket, head);
      },
      (err: AppError) => writeRawRefusal(client, err.code, err.detail),
    );
  });

  server.on('clientError', (_err, socket) => socket.destroy());

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  // The browser's own traffic: refused, never dialled, counted as strays.
  const { url: ownUrl, server: own } = await startRefusingListener(strays, track);

  const lastMatching = (pred: (r: EgressRecord) => boolean): EgressRecord | undefined => {
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i] as EgressRecord;
      if (pred(r)) return r;
    }
    return undefined;
  };

  return {
    port,
    url,
    records,
    get browserRequests() {
      return strays.requests.filter((r) => r.listener === 'browser').map((r) => r.request);
    },
    get strayRequests() {
      return strays.requests;
    },
    strayCount: strays.count,
    beginCapture: strays.beginCapture,
    chromiumArgs: () => [
      `--proxy-server=${ownUrl}`,
      // Chromium bypasses proxies for loopback by default; `<-loopback>` removes that exception.
      '--proxy-bypass-list=<-loopback>',
      // WebRTC sends UDP (STUN/TURN, host candidates) around any HTTP proxy: forbid that.
      '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
      '--webrtc-ip-handling-policy=disable_non_proxied_udp',
    ],
    contextOptions: () => ({ proxyServer: url, proxyBypassList: ['<-loopback>'] }),
    refusingProxyServer: () => ownUrl,
    lastRecord: (hostPort, since = 0) => lastMatching((r) => r.at >= since && r.hostPort === hostPort.toLowerCase()),
    lastFailure: (hostPorts, since = 0) => {
      const wanted = new Set([...hostPorts].map((h) => h.toLowerCase()));
      return lastMatching((r) => r.at >= since && r.outcome !== 'allowed' && wanted.has(r.hostPort));
    },
    close: async () => {
      const closed = Promise.all(
        [server, own].map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))),
      );
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      own.closeAllConnections();
      await closed;
    },
  };
}
