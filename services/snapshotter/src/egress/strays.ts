/**
 * Requests that belong to no running capture: whatever Chromium asks for itself (they reach
 * the launch-wide listener, which refuses everything without dialling) and whatever reaches
 * the pages' listener while no capture is running (a beacon of a page being closed, a
 * speculative connection after the job). Both are refused, counted, logged and reported
 * (`onStray`, the snapshotter's metric): the browser flags (chromium-flags.ts) are meant to
 * leave nothing here, and a count above zero says a Chromium upgrade found a new way out.
 *
 * Captures are counted per process, not per browser context: while one capture runs, a late
 * request of another context's page passes the same egress checks as the capture's own.
 */
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@linksnap/shared';
import { guardSocket } from './tunnel.js';

/** `browser`: Chromium's own request; `page`: a page's request while no capture was running. */
export type StrayListener = 'browser' | 'page';

export interface StrayRequest {
  listener: StrayListener;
  /** `CONNECT host:port` or `METHOD url`. */
  request: string;
}

export interface StrayGuard {
  /** Marks a capture as running until the returned function is called (idempotent). */
  beginCapture(): () => void;
  /** Whether any capture is running now. */
  capturing(): boolean;
  /** Records, logs and reports one refused request. */
  refuse(stray: StrayRequest): void;
  /** The newest refused requests (bounded), oldest first. */
  readonly requests: readonly StrayRequest[];
  /** How many were refused since start. */
  count(): number;
}

const KEPT = 100;
const FORBIDDEN = 'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

export function createStrayGuard(options: { logger?: Logger; onStray?: (stray: StrayRequest) => void }): StrayGuard {
  let running = 0;
  let total = 0;
  const requests: StrayRequest[] = [];
  return {
    beginCapture: () => {
      running++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        running--;
      };
    },
    capturing: () => running > 0,
    refuse: (stray) => {
      total++;
      requests.push(stray);
      if (requests.length > KEPT) requests.shift();
      options.logger?.warn({ stray }, 'egress refused a request outside any capture');
      options.onStray?.(stray);
    },
    requests,
    count: () => total,
  };
}

/** Ends a tunnel or upgrade request with a bare 403. */
export function refuseRaw(socket: Duplex): void {
  socket.end(FORBIDDEN);
}

/**
 * The launch-wide proxy Chromium's own requests go to: it refuses each (never dialling) and
 * reports it as a stray. Returns its URL and server (closed with the egress proxy).
 */
export async function startRefusingListener(
  guard: StrayGuard,
  track: (socket: net.Socket) => void,
): Promise<{ url: string; server: http.Server }> {
  const refuse = (request: string) => guard.refuse({ listener: 'browser', request });
  const server = http.createServer((req, res) => {
    refuse(`${req.method} ${req.url}`);
    res.writeHead(403, { connection: 'close' }).end();
  });
  server.on('connect', (req: http.IncomingMessage, socket: Duplex) => {
    refuse(`CONNECT ${req.url}`);
    refuseRaw(socket);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    refuse(`${req.method} ${req.url}`);
    refuseRaw(socket);
  });
  // Guarded here too, not only by the caller's `track`: a CONNECT socket is ours once handed over.
  server.on('connection', (socket: net.Socket) => {
    guardSocket(socket);
    track(socket);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, server };
}
