/**
 * A small in-process cache with a per-entry expiry and a hard size bound: used on the request
 * path for answers that are costly to recompute and safe to reuse for a short time (verified
 * tokens, API keys, DNS answers). When full, the oldest insertion is evicted first.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(
    /** Entries kept at most; the oldest insertion goes first. */
    readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, or undefined once `expiresAt` (epoch ms) is reached. */
  get(key: K, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt });
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Drops every entry whose value matches (e.g. all cached uses of a revoked key). */
  deleteWhere(match: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.entries) if (match(entry.value, key)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
