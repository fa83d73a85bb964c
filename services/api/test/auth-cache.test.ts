/**
 * Credentials remembered in process: a cached session token still dies at `exp`, a cached API
 * key dies with its revocation (at once here, within LIVE_KEY_CACHE_MS when revoked elsewhere).
 * Clocks are injected; nothing here waits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@linksnap/shared';
import type { ApiKeyRow, ApiKeysRepository } from '../src/db/api-keys.repository.js';
import { ApiKeysService, LIVE_KEY_CACHE_MS } from '../src/domain/api-keys.service.js';
import { TokenService } from '../src/domain/tokens.js';

const unauthenticated = (err: unknown) => err instanceof AppError && err.code === 'UNAUTHENTICATED';
const SECRET = new TextEncoder().encode('auth-cache-test-secret-auth-cache-test-secret');

describe('TokenService verification cache', () => {
  it('refuses a token that was verified before once it expires', async () => {
    let now = Date.UTC(2030, 0, 1);
    const tokens = new TokenService(SECRET, 60, () => now);
    const token = await tokens.issue('user-1');
    assert.equal(await tokens.verify(token), 'user-1');
    now += 59_000;
    assert.equal(await tokens.verify(token), 'user-1', 'still valid a second before exp');
    now += 1_000;
    await assert.rejects(tokens.verify(token), unauthenticated);
  });

  it('does not let a tampered copy of a verified token through', async () => {
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.issue('user-1');
    assert.equal(await tokens.verify(token), 'user-1');
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'user-2', exp: 4e9, iat: 1 })).toString('base64url')}.${signature}`;
    await assert.rejects(tokens.verify(forged), unauthenticated);
    await assert.rejects(tokens.verify(`${token}x`), unauthenticated);
  });

  it('refuses tokens signed with another secret even when the subject is cached', async () => {
    const tokens = new TokenService(SECRET, 60);
    const other = new TokenService(new TextEncoder().encode('another-secret-another-secret-another'), 60);
    assert.equal(await tokens.verify(await tokens.issue('user-1')), 'user-1');
    await assert.rejects(tokens.verify(await other.issue('user-1')), unauthenticated);
  });
});

/** The api_keys table of another process: revocations there are not seen by the service. */
class KeyTable {
  rows = new Map<string, ApiKeyRow>();
  /** Lookups wait on this when set (to overlap a revocation). */
  gate: Promise<void> | null = null;

  repository(): ApiKeysRepository {
    return {
      insert: async (userId: string, name: string, keyHash: string) => {
        const row: ApiKeyRow = {
          id: crypto.randomUUID(),
          userId,
          name,
          keyHash,
          createdAt: new Date(),
          lastUsedAt: null,
          revokedAt: null,
        };
        this.rows.set(row.id, row);
        return row;
      },
      findActiveByHash: async (keyHash: string) => {
        const row = [...this.rows.values()].find((r) => r.keyHash === keyHash && r.revokedAt === null) ?? null;
        if (this.gate) await this.gate;
        return row;
      },
      revoke: async (userId: string, id: string) => {
        const row = this.rows.get(id);
        if (!row || row.userId !== userId || row.revokedAt) return false;
        row.revokedAt = new Date();
        return true;
      },
      touch: async () => {},
      listByUser: async () => [],
    } as unknown as ApiKeysRepository;
  }
}

describe('ApiKeysService live-key cache', () => {
  it('refuses a key at once when it is revoked through the same service', async () => {
    const table = new KeyTable();
    const service = new ApiKeysService(table.repository());
    const { id, key } = await service.create('user-1', 'ci');
    assert.equal(await service.authenticate(key), 'user-1');
    await service.revoke('user-1', id);
    await assert.rejects(service.authenticate(key), unauthenticated);
  });

  it('notices a revocation made elsewhere once the cache period is over', async () => {
    let now = 1_000_000;
    const table = new KeyTable();
    const service = new ApiKeysService(table.repository(), () => now);
    const { id, key } = await service.create('user-1', 'ci');
    assert.equal(await service.authenticate(key), 'user-1');
    (table.rows.get(id) as ApiKeyRow).revokedAt = new Date();
    now += LIVE_KEY_CACHE_MS;
    await assert.rejects(service.authenticate(key), unauthenticated);
  });

  it('does not cache a lookup that overlapped a revocation', async () => {
    const table = new KeyTable();
    const service = new ApiKeysService(table.repository());
    const { id, key } = await service.create('user-1', 'ci');
    let open = () => {};
    table.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    // Reads the live row, then is held until the key has been revoked.
    const inFlight = service.authenticate(key);
    await new Promise((resolve) => setImmediate(resolve));
    table.gate = null;
    await service.revoke('user-1', id);
    open();
    assert.equal(await inFlight, 'user-1', 'the request that started first still passes');
    await assert.rejects(service.authenticate(key), unauthenticated);
  });

  it("refuses to revoke another user's key and keeps authenticating the owner", async () => {
    const table = new KeyTable();
    const service = new ApiKeysService(table.repository());
    const { id, key } = await service.create('user-1', 'ci');
    assert.equal(await service.authenticate(key), 'user-1');
    await assert.rejects(service.revoke('user-2', id), (err) => err instanceof AppError && err.code === 'NOT_FOUND');
    assert.equal(await service.authenticate(key), 'user-1');
  });
});
