/** Stored first responses of requests sent with an Idempotency-Key. */
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './database.js';
import { idempotencyKeys } from './schema.js';

export interface StoredResponse {
  body: unknown;
  location?: string;
  contentType?: string;
}

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

export class IdempotencyRepository {
  constructor(private readonly db: Db) {}

  async find(userId: string, key: string): Promise<IdempotencyRow | null> {
    const [row] = await this.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
    return row ?? null;
  }

  /** Claims the key for a request in progress; false when another request holds it. */
  async claim(userId: string, key: string, requestHash: string, expiredBefore: Date): Promise<boolean> {
    await this.db
      .delete(idempotencyKeys)
      .where(
        and(
          eq(idempotencyKeys.userId, userId),
          eq(idempotencyKeys.key, key),
          lt(idempotencyKeys.createdAt, expiredBefore),
        ),
      );
    const rows = await this.db
      .insert(idempotencyKeys)
      .values({ userId, key, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    return rows.length > 0;
  }

  async complete(userId: string, key: string, status: number, response: StoredResponse): Promise<void> {
    await this.db
      .update(idempotencyKeys)
      .set({ status, response })
      .where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  }

  async release(userId: string, key: string): Promise<void> {
    await this.db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.userId, userId), eq(idempotencyKeys.key, key)));
  }
}
