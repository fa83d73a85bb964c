/** Queries on users. */
import { eq, sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { type UserRow, users } from './schema.js';

export class UsersRepository {
  constructor(private readonly db: Db) {}

  /**
   * Inserts the user; null when the email (case-insensitively) is taken. The first account of
   * an instance becomes its admin.
   */
  async insert(email: string, passwordHash: string): Promise<UserRow | null> {
    const isAdmin = sql<boolean>`not exists (select 1 from ${users})`;
    const rows = await this.db.insert(users).values({ email, passwordHash, isAdmin }).onConflictDoNothing().returning();
    return rows[0] ?? null;
  }

  /** True once the instance has an account. */
  async any(): Promise<boolean> {
    const rows = await this.db.select({ id: users.id }).from(users).limit(1);
    return rows.length > 0;
  }

  async findByEmail(email: string): Promise<UserRow | null> {
    const rows = await this.db
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
      .limit(1);
    return rows[0] ?? null;
  }

  async findById(id: string): Promise<UserRow | null> {
    const rows = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
    return rows[0] ?? null;
  }
}
