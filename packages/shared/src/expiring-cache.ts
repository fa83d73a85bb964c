/**
 * A bounded in-process cache whose entries each carry their expiry, on lru-cache: used on the
 * request path for answers that are costly to recompute and safe to reuse for a short time
 * (verified tokens, API keys, DNS answers). When full, the least recently used entry goes.
 */
import { LRUCache } from 'lru-cache';

export class ExpiringCache<K extends {}, V extends {}> {
  private readonly cache: LRUCache<K, V>;

  constructor(
    maxEntries: number,
    /** Epoch ms (never 0: lru-cache reads a start of 0 as "no expiry"); tests move it. */
    private readonly now: () => number = Date.now,
  ) {
    // ttlResolution 0: read the clock at every check instead of reusing it for a millisecond.
    this.cache = new LRUCache<K, V>({ max: maxEntries, perf: { now }, ttlResolution: 0 });
  }

  get size(): number {
    return this.cache.size;
  }

  /** The value, or undefined from its expiry on. */
  get(key: K): V | undefined {
    return this.cache.get(key);
  }

  /**
   * Keeps `value` until `expiresAt` (epoch ms, Infinity for until replaced or evicted); an
   * expiry already reached drops the key. lru-cache keeps an entry while its age is at most
   * its ttl, so the ttl is one millisecond short of the expiry.
   */
  set(key: K, value: V, expiresAt: number): void {
    if (expiresAt === Number.POSITIVE_INFINITY) {
      this.cache.set(key, value, { ttl: 0 });
      return;
    }
    const ttl = Math.floor(expiresAt - this.now()) - 1;
    if (ttl > 0) this.cache.set(key, value, { ttl });
    else this.cache.delete(key);
  }

  delete(key: K): void {
    this.cache.delete(key);
  }

  /** Drops every entry whose value matches (e.g. all cached uses of a revoked key). */
  deleteWhere(match: (value: V, key: K) => boolean): void {
    for (const [key, value] of this.cache.entries()) if (match(value, key)) this.cache.delete(key);
  }
}
