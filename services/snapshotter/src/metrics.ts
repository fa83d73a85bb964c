/**
 * Prometheus metrics of one snapshotter process, served on HOST:SNAPSHOTTER_METRICS_PORT
 * (0 = off): capture duration per stage (from each result's timings), captures by outcome and
 * error code, browser pool size and restarts, egress requests that belonged to no capture, the
 * ad blocker's filter count, and the default process metrics (memory, CPU).
 * Captures are observed where their result message leaves, so the processor stays unaware.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@linksnap/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { BrowserPool } from './browser-pool.js';
import type { ConcurrencyControl } from './concurrency/controller.js';
import type { ResultProducer } from './results.js';

export class SnapshotterMetrics {
  readonly registry = new Registry();
  private pool: Pick<BrowserPool, 'pids' | 'recycles'> | undefined;
  private concurrency: Pick<ConcurrencyControl, 'current' | 'max' | 'adaptive'> | undefined;

  readonly stageDuration = new Histogram({
    name: 'linksnap_capture_stage_duration_seconds',
    help: 'Duration of each capture stage, from the timings of finished captures',
    labelNames: ['stage'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [this.registry],
  });

  readonly captures = new Counter({
    name: 'linksnap_snapshotter_captures_total',
    help: 'Captures this process finished, by outcome and error code ("none" when there is none)',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });

  /** 0 when blocking is off (ADBLOCK=false) or its lists could not be loaded at start. */
  readonly adblockFilters = new Gauge({
    name: 'linksnap_adblock_filters',
    help: 'Network filters the ad and tracker blocker loaded (0: captures run without blocking)',
    registers: [this.registry],
  });

  readonly strayRequests = new Counter({
    name: 'linksnap_egress_stray_requests_total',
    help: 'Requests refused by the egress proxy because no capture asked for them (browser: Chromium itself; page: outside a running capture)',
    labelNames: ['listener'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'linksnap_snapshotter_' });
    const pool = () => this.pool;
    const concurrency = () => this.concurrency;
    new Gauge({
      name: 'linksnap_capture_concurrency',
      help: 'Pages this snapshotter may capture at once now (adaptive unless CAPTURE_CONCURRENCY is set)',
      labelNames: ['mode'] as const,
      registers: [this.registry],
      collect() {
        const c = concurrency();
        this.reset();
        if (c) this.set({ mode: c.adaptive ? 'adaptive' : 'fixed' }, c.current());
      },
    });
    new Gauge({
      name: 'linksnap_capture_concurrency_max',
      help: 'Upper bound of the capture concurrency (CAPTURE_CONCURRENCY_MAX, or the fixed CAPTURE_CONCURRENCY)',
      registers: [this.registry],
      collect() {
        this.set(concurrency()?.max ?? 0);
      },
    });
    new Gauge({
      name: 'linksnap_browser_pool_browsers',
      help: 'Live Chromium processes in the pool',
      registers: [this.registry],
      collect() {
        this.set(pool()?.pids().length ?? 0);
      },
    });
    new Counter({
      name: 'linksnap_browser_restarts_total',
      help: 'Browser relaunches (recycling to bound memory, or after a crash)',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(pool()?.recycles() ?? 0);
      },
    });
  }

  watchPool(pool: Pick<BrowserPool, 'pids' | 'recycles'>): void {
    this.pool = pool;
  }

  watchConcurrency(concurrency: Pick<ConcurrencyControl, 'current' | 'max' | 'adaptive'>): void {
    this.concurrency = concurrency;
  }

  /** The same producer, observing every result it sends. */
  instrument(results: ResultProducer): ResultProducer {
    return {
      ...results,
      send: async (input) => {
        const result = await results.send(input);
        this.captures.inc({ outcome: result.status, code: result.error?.code ?? 'none' });
        for (const [stage, ms] of Object.entries(result.timings)) {
          if (Number.isFinite(ms) && ms >= 0) this.stageDuration.observe({ stage }, ms / 1000);
        }
        return result;
      },
    };
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * GET /metrics on host:port. A port already taken is logged and skipped: metrics must never
 * keep a worker from capturing.
 */
export async function startMetricsServer(
  metrics: SnapshotterMetrics,
  host: string,
  port: number,
  logger?: Logger,
): Promise<MetricsServer | null> {
  if (port === 0) return null;
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    logger?.error({ err, host, port }, 'metrics server could not listen; metrics are off');
    return null;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/metrics`;
  logger?.info({ url }, 'snapshotter metrics listening');
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
