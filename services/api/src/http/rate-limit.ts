/**
 * Fixed-window rate limiting kept in process memory: enough for one API process (a shared
 * Redis store would be needed to hold limits across replicas). Refusals are RATE_LIMITED
 * problems with Retry-After, like every other error.
 */
import { AppError } from '@linksnap/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { addRouteHook } from './route-hooks.js';

interface Window {
  count: number;
  resetAt: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    /** Requests allowed per window. */
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  private current(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
      if (this.windows.size > 100_000) this.sweep(now);
    }
    return w;
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }

  /** Throws RATE_LIMITED when `key` has used up its window. */
  check(key: string, now = Date.now()): void {
    const w = this.current(key, now);
    if (w.count >= this.limit) {
      const retryAfter = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
      throw new AppError('RATE_LIMITED', `Too many requests. Try again in ${retryAfter} s.`, { retryAfter });
    }
  }

  hit(key: string, now = Date.now()): void {
    this.current(key, now).count += 1;
  }

  /** `check` then count this request. */
  consume(key: string, now = Date.now()): void {
    this.check(key, now);
    this.hit(key, now);
  }
}

/**
 * Per-user limit on one route (e.g. POST /v1/links), applied from the outside so the route
 * file stays its owner's. Register inside the authenticated scope, after `registerAuth` and
 * before the route: the hook is the route's own, after the scope's authentication.
 */
export function registerRouteLimit(app: FastifyInstance, method: string, url: string, limiter: RateLimiter): void {
  const limit = async (request: FastifyRequest) => {
    if (request.userId) limiter.consume(`${method} ${url} ${request.userId}`);
  };
  addRouteHook(app, 'onRequest', (m, u) => m === method && u === url, limit);
}
