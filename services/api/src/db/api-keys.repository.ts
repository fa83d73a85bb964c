/** Queries on api_keys. Only hashes are stored; the key itself is shown once at creation. */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from './database.js';
import { apiKeys } from './schema.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;

export class ApiKeysRepository {
  constructor(private readonly db: Db) {}

  async insert(userId: string, name: string, keyHash: string): Promise<ApiKeyRow> {
    const rows = await this.db.insert(apiKeys).values({ userId, name, keyHash }).returning();
    return rows[0] as ApiKeyRow;
  }

  async listByUser(userId: string): Promise<ApiKeyRow[]> {
    return this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .orderBy(desc(apiKeys.createdAt));
  }

  /** The live (not revoked) key with this hash. */
  async findActiveByHash(keyHash: string): Promise<ApiKeyRow | null> {
    const rows = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, keyHash), isNull(apiKeys.revokedAt)))
      .limit(1);
    return rows[0] ?? null;
  }

  /** Revokes the user's key; false when it does not exist, is someone else's or already revoked. */
  async revoke(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    return rows.length > 0;
  }

  async touch(id: string): Promise<void> {
    await this.db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, id));
  }
}
