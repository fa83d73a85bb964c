/**
 * Rate limits with `@fastify/rate-limit`, counted in Redis when one is configured, so every API
 * replica draws on one budget (in process memory otherwise). Refusals are RATE_LIMITED problems
 * with Retry-After, like every other error. A Redis outage lets requests through rather than
 * refusing every login: the API answers 503 for what needs Redis anyway.
 */
import rateLimit from '@fastify/rate-limit';
import { AppError, bounded, type Config, redisOptions } from '@linksnap/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { addRouteHook } from './route-hooks.js';

/** Registers the plugin (no global limit: each limit below is chosen per route). */
export function registerRateLimits(app: FastifyInstance, config: Pick<Config, 'REDIS_URL' | 'QUEUE_PREFIX'>): void {
  const redis = config.REDIS_URL
    ? new Redis({
        ...redisOptions(config.REDIS_URL),
        // A limit check must not hold a request while Redis is away.
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        commandTimeout: 1_000,
      })
    : undefined;
  redis?.on('error', () => {});
  // Without the offline queue, a check made before the connection is ready is skipped and
  // not counted, so the first requests after a start would go uncounted: start only once it is
  // ready, or after a bounded wait when Redis is away (the limits then apply once it is back).
  app.addHook('onReady', async () => {
    if (!redis || redis.status === 'ready') return;
    await bounded('rate-limit redis ready', () => new Promise((resolve) => redis.once('ready', resolve)), 5_000);
  });
  app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `${config.QUEUE_PREFIX}:rate-limit:`,
    skipOnError: true,
  });
  app.addHook('onClose', async () => {
    if (!redis) return;
    await bounded('rate-limit redis', () => redis.quit(), 1_000);
    redis.disconnect();
  });
}

/** One budget: `limit` requests per window for each key `keyOf` gives a request. */
export class RateLimiter {
  private readonly run: ReturnType<FastifyInstance['createRateLimit']>;

  constructor(
    app: FastifyInstance,
    readonly limit: number,
    windowMs: number,
    keyOf: (request: FastifyRequest) => string,
  ) {
    this.run = app.createRateLimit({ max: limit, timeWindow: windowMs, keyGenerator: keyOf });
  }

  /** Throws RATE_LIMITED when the request's key has used up its window, without counting it. */
  async check(request: FastifyRequest): Promise<void> {
    const state = await this.run(request, { increment: false });
    if (!state.isAllowed && state.remaining <= 0) refuse(state.ttlInSeconds);
  }

  /** Counts the request against its key's budget. */
  async hit(request: FastifyRequest): Promise<void> {
    await this.run(request);
  }

  /** Counts the request, and throws RATE_LIMITED when it is over the budget. */
  async consume(request: FastifyRequest): Promise<void> {
    const state = await this.run(request);
    if (!state.isAllowed && state.isExceeded) refuse(state.ttlInSeconds);
  }
}

function refuse(ttlSeconds: number): never {
  const retryAfter = Math.max(1, ttlSeconds);
  throw new AppError('RATE_LIMITED', `Too many requests. Try again in ${retryAfter} s.`, { retryAfter });
}

/**
 * Per-user limit on one route (e.g. POST /v1/links), applied from the outside so the route
 * file stays its owner's. Register inside the authenticated scope, after `registerAuth` and
 * before the route: the hook is the route's own, after the scope's authentication.
 */
export function registerRouteLimit(app: FastifyInstance, method: string, url: string, limiter: RateLimiter): void {
  const limit = async (request: FastifyRequest) => {
    if (request.userId) await limiter.consume(request);
  };
  addRouteHook(app, 'onRequest', (m, u) => m === method && u === url, limit);
}
