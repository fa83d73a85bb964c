/**
 * Prometheus metrics of the API process at GET /metrics: HTTP requests by route and status
 * (count and duration), queue depth per state and age of the oldest waiting job (read from
 * Redis on each scrape), captures by outcome and error code (counted by the results consumer),
 * search indexing (links indexed, links still stale) and the default process metrics. One registry per app, so tests can build several apps.
 */
import { type Config, redisOptions } from '@linksnap/shared';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

const QUEUE_STATES = ['wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly queues: Queue[] = [];
  private readonly owned: Queue[] = [];

  readonly httpRequests = new Counter({
    name: 'linksnap_http_requests_total',
    help: 'HTTP requests answered, by route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'linksnap_http_request_duration_seconds',
    help: 'HTTP request duration, by route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly captures = new Counter({
    name: 'linksnap_captures_total',
    help: 'Finished captures written to PostgreSQL, by outcome and error code ("none" when there is none)',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });

  readonly searchIndexed = new Counter({
    name: 'linksnap_search_indexed_total',
    help: 'Links whose search document this process (re)built, backfill included',
    registers: [this.registry],
  });

  private searchBacklog: (() => Promise<number>) | undefined;

  constructor() {
    const backlog = () => this.searchBacklog?.();
    collectDefaultMetrics({ register: this.registry, prefix: 'linksnap_api_' });
    const queues = this.queues;
    new Gauge({
      name: 'linksnap_queue_jobs',
      help: 'Jobs in each BullMQ queue, by state (read on scrape)',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of queues) {
          const counts = await queue.getJobCounts(...QUEUE_STATES).catch(() => null);
          if (!counts) continue;
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'linksnap_search_stale_links',
      help: 'Links whose search document waits to be (re)built (read on scrape)',
      registers: [this.registry],
      async collect() {
        const n = await backlog()?.catch(() => undefined);
        if (n !== undefined) this.set(n);
      },
    });
    new Gauge({
      name: 'linksnap_queue_oldest_waiting_seconds',
      help: 'Age of the oldest job waiting in each queue (0 when none waits)',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const queue of queues) {
          const [oldest] = await queue.getJobs(['wait'], 0, 0, true).catch(() => []);
          this.set({ queue: queue.name }, oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0);
        }
      },
    });
  }

  /** Reports the links waiting for (re)indexing on scrape: the backfill's progress. */
  watchSearchBacklog(count: () => Promise<number>): void {
    this.searchBacklog = count;
  }

  /** Queues whose depth is reported on scrape. */
  watch(...queues: Queue[]): void {
    this.queues.push(...queues);
  }

  /** Opens (and owns) a read-only handle on a queue this process does not produce to. */
  watchByName(name: string, config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>): Queue | undefined {
    if (!config.REDIS_URL) return undefined;
    const queue = new Queue(name, {
      connection: redisOptions(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
      prefix: config.QUEUE_PREFIX,
    });
    queue.on('error', () => {});
    this.owned.push(queue);
    this.watch(queue);
    return queue;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.owned.map((q) => q.close()));
  }

  /** Called by the results consumer once a result row is written (not for replays). */
  countCapture(outcome: string, code: string | undefined): void {
    this.captures.inc({ outcome, code: code ?? 'none' });
  }
}

export function registerMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  // Runs on every response: a callback hook, and label objects as literals (Node 20 builds a
  // `{...labels, status}` object far slower than a literal).
  app.addHook('onResponse', (request, reply, done) => {
    const method = request.method;
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });
  // GET /metrics
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
