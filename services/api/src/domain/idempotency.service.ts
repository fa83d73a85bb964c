/**
 * Idempotency-Key semantics: the first response for a key is kept for 24 hours and replayed
 * for the same request; the same key with a different request is refused (422).
 */
import { createHash } from 'node:crypto';
import { AppError } from '@linksnap/shared';
import type { IdempotencyRepository, StoredResponse } from '../db/idempotency.repository.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export type Admission = { kind: 'proceed' } | { kind: 'replay'; status: number; response: StoredResponse };

/** JSON with object keys sorted at every level, so equal bodies hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ method, path, body: body ?? null }))
    .digest('hex');
}

export class IdempotencyService {
  constructor(private readonly repository: IdempotencyRepository) {}

  async admit(userId: string, key: string, hash: string): Promise<Admission> {
    const expiredBefore = new Date(Date.now() - IDEMPOTENCY_TTL_MS);
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await this.repository.claim(userId, key, hash, expiredBefore)) return { kind: 'proceed' };
      const row = await this.repository.find(userId, key);
      if (!row) continue;
      if (row.requestHash !== hash) {
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used with a different request.');
      }
      if (row.status === null) {
        throw new AppError('SERVICE_UNAVAILABLE', 'The first request with this Idempotency-Key is still running.', {
          retryAfter: 1,
        });
      }
      return { kind: 'replay', status: row.status, response: row.response as StoredResponse };
    }
    throw new AppError('SERVICE_UNAVAILABLE', 'The Idempotency-Key could not be claimed.', { retryAfter: 1 });
  }

  complete(userId: string, key: string, status: number, response: StoredResponse): Promise<void> {
    return this.repository.complete(userId, key, status, response);
  }

  release(userId: string, key: string): Promise<void> {
    return this.repository.release(userId, key);
  }
}
