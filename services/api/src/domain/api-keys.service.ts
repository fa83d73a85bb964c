/**
 * Named API keys: `lsk_` + 32 random bytes (base64url), shown once, stored as SHA-256 (the
 * keys are high-entropy, so a slow hash adds nothing). A revoked key stops authenticating.
 *
 * Live keys are remembered for LIVE_KEY_CACHE_MS so that a script polling the API does not
 * cost a key lookup (and a last-used write) per request. Revoking through this process drops
 * the entry at once; another API process sharing the database notices within that time.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError, ExpiringCache } from '@linksnap/shared';
import type { ApiKeyRow, ApiKeysRepository } from '../db/api-keys.repository.js';
import { isUuid } from '../db/errors.js';

export const API_KEY_PREFIX = 'lsk_';
export const LIVE_KEY_CACHE_MS = 10_000;
const LIVE_KEY_CACHE_ENTRIES = 10_000;

export interface ApiKeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function toView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

export class ApiKeysService {
  /** Key hash → the live key's id and owner. */
  private readonly live: ExpiringCache<string, { id: string; userId: string }>;
  /** Bumped by every revocation: a lookup that overlapped one is not cached. */
  private revocations = 0;

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly now: () => number = Date.now,
  ) {
    this.live = new ExpiringCache(LIVE_KEY_CACHE_ENTRIES, now);
  }

  async create(userId: string, name: string): Promise<ApiKeyView & { key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.keys.insert(userId, name, hashApiKey(key));
    return { ...toView(row), key };
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    return (await this.keys.listByUser(userId)).map(toView);
  }

  async revoke(userId: string, id: string): Promise<void> {
    this.revocations += 1;
    let revoked = false;
    try {
      revoked = isUuid(id) && (await this.keys.revoke(userId, id));
    } finally {
      this.revocations += 1;
      // Dropped whatever the answer: a key revoked by another process may still be cached here.
      this.live.deleteWhere((key) => key.id === id);
    }
    if (!revoked) throw new AppError('NOT_FOUND', 'The API key does not exist.');
  }

  /** The owner of a live key; UNAUTHENTICATED for unknown and revoked keys. */
  async authenticate(key: string): Promise<string> {
    const keyHash = hashApiKey(key);
    const cached = this.live.get(keyHash);
    if (cached) return cached.userId;
    const generation = this.revocations;
    const row = await this.keys.findActiveByHash(keyHash);
    if (!row) throw new AppError('UNAUTHENTICATED', 'The API key is invalid or has been revoked.');
    if (generation === this.revocations)
      this.live.set(keyHash, { id: row.id, userId: row.userId }, this.now() + LIVE_KEY_CACHE_MS);
    // Best effort: a failed bookkeeping write must not fail the request. Once per cache period.
    this.keys.touch(row.id).catch(() => {});
    return row.userId;
  }
}
