/**
 * A caching front for a Resolver, for submit-time egress checks. `dns.lookup` runs on libuv's
 * small thread pool (which also serves file and crypto work), so a burst of submissions for
 * one slow or unresolvable host would queue behind each other. Here concurrent lookups of a
 * name share one, and its answer (or failure) is reused briefly. The verdict on the answer is
 * unchanged: every caller still classifies the addresses itself. The connection-time check
 * (the snapshotter's egress proxy) uses it with `ttlMs: 0`: it shares lookups in flight and
 * reuses failures, never a successful answer.
 */
import type { ResolvedAddress, Resolver } from './egress.js';
import { ExpiringCache } from './expiring-cache.js';

export interface ResolverCacheOptions {
  /** How long an answer is reused (dns.lookup does not report record TTLs). Default 30 s. */
  ttlMs?: number;
  /** How long a failed lookup is reused. Default 10 s. */
  failureTtlMs?: number;
  /** Names remembered at most. Default 1000. */
  maxEntries?: number;
  /** Epoch ms; tests move it. */
  now?: () => number;
}

export function cachingResolver(inner: Resolver, options: ResolverCacheOptions = {}): Resolver {
  const ttlMs = options.ttlMs ?? 30_000;
  const failureTtlMs = options.failureTtlMs ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new ExpiringCache<string, Promise<ResolvedAddress[]>>(options.maxEntries ?? 1000, now);
  return (hostname) => {
    const hit = cache.get(hostname);
    if (hit) return hit;
    const answer = inner(hostname);
    // Shared while in flight; kept for the TTL once settled (unless replaced meanwhile).
    cache.set(hostname, answer, Number.POSITIVE_INFINITY);
    const settle = (ms: number) => () => {
      if (cache.get(hostname) === answer) cache.set(hostname, answer, now() + ms);
    };
    answer.then(settle(ttlMs), settle(failureTtlMs));
    return answer;
  };
}
