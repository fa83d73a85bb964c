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
 * counted as strays (strays.ts). What the pages' listener does with a request it serves
 * (forward it, or tunnel it for CONNECT and upgrades) is in forward.ts.
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
import { forwardRequest, type ProxyContext, tunnelConnect, tunnelUpgrade } from './forward.js';
import { createStrayGuard, type StrayRequest, startRefusingListener } from './strays.js';
import { guardSocket } from './tunnel.js';

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

export { EGRESS_BLOCKED_HEADER, EGRESS_ERROR_HEADER } from './forward.js';

function refusal(err: unknown): { outcome: EgressOutcome; code: ErrorCode; detail: string } {
  if (err instanceof AppError && (err.code === 'SSRF_BLOCKED' || err.code === 'DNS_FAILED')) {
    return { outcome: err.code === 'SSRF_BLOCKED' ? 'blocked' : 'dns_failed', code: err.code, detail: err.detail };
  }
  return { outcome: 'connect_failed', code: 'CONNECTION_FAILED', detail: (err as Error)?.message ?? String(err) };
}

const defaultDial = (address: ResolvedAddress, port: number): net.Socket =>
  net.connect({ host: address.address, port, family: address.family });

export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const sockets = new Set<net.Socket | Duplex>();
  const log = options.logger;
  const book = createRecordBook(options.maxRecords ?? 2_000, log);
  const strays = createStrayGuard({ logger: log, onStray: options.onStray });

  /** Every socket either listener accepts or we dial passes here: it gets its 'error' listener. */
  const track = (socket: net.Socket | Duplex) => {
    guardSocket(socket);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const ctx: ProxyContext = {
    dial: createCheckedDialer(options, { record: book.record, track, idleTimeoutMs }),
    record: book.record,
    strayed: (request) => {
      if (strays.capturing()) return false;
      strays.refuse({ listener: 'page', request });
      return true;
    },
    track,
  };
  const server = createPagesListener(ctx, idleTimeoutMs);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  // The browser's own traffic: refused, never dialled, counted as strays.
  const { url: ownUrl, server: own } = await startRefusingListener(strays, track);

  return {
    port,
    url,
    records: book.records,
    get browserRequests() {
      return strays.requests.filter((r) => r.listener === 'browser').map((r) => r.request);
    },
    get strayRequests() {
      return strays.requests;
    },
    strayCount: strays.count,
    beginCapture: strays.beginCapture,
    chromiumArgs: () => chromiumArgs(ownUrl),
    contextOptions: () => ({ proxyServer: url, proxyBypassList: ['<-loopback>'] }),
    refusingProxyServer: () => ownUrl,
    lastRecord: book.lastRecord,
    lastFailure: book.lastFailure,
    close: () => closeListeners([server, own], sockets),
  };
}

/** The records of the proxy's decisions, bounded, and the two questions the capture asks of them. */
function createRecordBook(maxRecords: number, log: Logger | undefined) {
  const records: EgressRecord[] = [];

  const record = (entry: Omit<EgressRecord, 'at'>): void => {
    records.push({ at: Date.now(), ...entry });
    if (records.length > maxRecords) records.splice(0, records.length - maxRecords);
    if (entry.outcome !== 'allowed') log?.info({ egress: entry }, 'egress refused');
  };

  const lastMatching = (pred: (r: EgressRecord) => boolean): EgressRecord | undefined => {
    for (let i = records.length - 1; i >= 0; i--) {
      const r = records[i] as EgressRecord;
      if (pred(r)) return r;
    }
    return undefined;
  };

  return {
    records,
    record,
    lastRecord: (hostPort: string, since = 0): EgressRecord | undefined =>
      lastMatching((r) => r.at >= since && r.hostPort === hostPort.toLowerCase()),
    lastFailure: (hostPorts: Iterable<string>, since = 0): EgressRecord | undefined => {
      const wanted = new Set([...hostPorts].map((h) => h.toLowerCase()));
      return lastMatching((r) => r.at >= since && r.outcome !== 'allowed' && wanted.has(r.hostPort));
    },
  };
}

/**
 * The proxy's one way to open a connection: check the target, dial the exact address that was
 * checked (no second lookup for DNS rebinding to answer), record the outcome either way.
 */
function createCheckedDialer(
  options: EgressProxyOptions,
  deps: Pick<ProxyContext, 'record' | 'track'> & { idleTimeoutMs: number },
): ProxyContext['dial'] {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  // A page opens up to six connections per host at once and queues the rest behind them; with
  // a name that fails slowly (a resolver that times out), each of them waited for its own
  // lookup on libuv's 4-thread pool, so one dead host held the load event for rounds of
  // timeouts. Concurrent lookups of a name now share one, and a failure is reused for 10 s.
  // A successful answer is not kept: every later connection resolves afresh (rebinding).
  const resolver = cachingResolver(options.resolver ?? systemResolver, { ttlMs: 0, failureTtlMs: 10_000 });
  const { record, track, idleTimeoutMs } = deps;

  return async (hostname, port, meta) => {
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
      await connected(socket, connectTimeoutMs, `${address.address}:${port}`);
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
}

/** Resolves once `socket` connects; rejects on its error or after `timeoutMs`. */
function connected(socket: net.Socket, timeoutMs: number, label: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connect to ${label} timed out`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The listener pages reach through their context's proxy. */
function createPagesListener(ctx: ProxyContext, idleTimeoutMs: number): http.Server {
  const server = http.createServer();
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 15_000;
  server.requestTimeout = 0;
  server.on('connection', (socket: net.Socket) => {
    ctx.track(socket);
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => forwardRequest(ctx, req, res));
  server.on('connect', (req: http.IncomingMessage, client: Duplex, head: Buffer) =>
    tunnelConnect(ctx, req, client, head),
  );
  server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) =>
    tunnelUpgrade(ctx, req, client, head),
  );
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

function chromiumArgs(refusingUrl: string): string[] {
  return [
    `--proxy-server=${refusingUrl}`,
    // Chromium bypasses proxies for loopback by default; `<-loopback>` removes that exception.
    '--proxy-bypass-list=<-loopback>',
    // WebRTC sends UDP (STUN/TURN, host candidates) around any HTTP proxy: forbid that.
    '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
    '--webrtc-ip-handling-policy=disable_non_proxied_udp',
  ];
}

async function closeListeners(listeners: http.Server[], sockets: Set<net.Socket | Duplex>): Promise<void> {
  const closed = Promise.all(
    listeners.map((listener) => new Promise<void>((resolve) => listener.close(() => resolve()))),
  );
  for (const socket of sockets) socket.destroy();
  for (const listener of listeners) listener.closeAllConnections();
  await closed;
}
