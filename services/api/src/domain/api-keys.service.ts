/**
 * Named API keys: `lsk_` + 32 random bytes (base64url), shown once, stored as SHA-256 (the
 * keys are high-entropy, so a slow hash adds nothing). A revoked key stops authenticating.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { ApiKeyRow, ApiKeysRepository } from './api-keys.repository.js';

export const API_KEY_PREFIX = 'lsk_';

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
  constructor(private readonly keys: ApiKeysRepository) {}

  async create(userId: string, name: string): Promise<ApiKeyView & { key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row = await this.keys.insert(userId, name, hashApiKey(key));
    return { ...toView(row), key };
  }

  async list(userId: string): Promise<ApiKeyView[]> {
    return (await this.keys.listByUser(userId)).map(toView);
  }

  async revoke(userId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await this.keys.revoke(userId, id))) {
      throw new AppError('NOT_FOUND', 'The API key does not exist.');
    }
  }

  /** The owner of a live key; UNAUTHENTICATED for unknown and revoked keys. */
  async authenticate(key: string): Promise<string> {
    const row = await this.keys.findActiveByHash(hashApiKey(key));
    if (!row) throw new AppError('UNAUTHENTICATED', 'The API key is invalid or has been revoked.');
    // Best effort: a failed bookkeeping write must not fail the request.
    this.keys.touch(row.id).catch(() => {});
    return row.userId;
  }
}
