/** Queries on webhooks (drizzle only). */
import { and, eq } from 'drizzle-orm';
import type { Db } from './database.js';
import { links, type WebhookRow, webhooks } from './schema.js';

export class WebhooksRepository {
  constructor(private readonly db: Db) {}

  async insert(values: { userId: string; url: string; events: string[]; secret: string }): Promise<WebhookRow> {
    const [row] = await this.db.insert(webhooks).values(values).returning();
    return row as WebhookRow;
  }

  listByUser(userId: string): Promise<WebhookRow[]> {
    return this.db.select().from(webhooks).where(eq(webhooks.userId, userId)).orderBy(webhooks.createdAt);
  }

  /** The webhooks of the user owning a link (deliveries for one of its snapshots). */
  async listByLink(linkId: string): Promise<WebhookRow[]> {
    const rows = await this.db
      .select({ webhook: webhooks })
      .from(webhooks)
      .innerJoin(links, eq(links.userId, webhooks.userId))
      .where(eq(links.id, linkId));
    return rows.map((r) => r.webhook);
  }

  async findById(id: string): Promise<WebhookRow | null> {
    const [row] = await this.db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1);
    return row ?? null;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(webhooks)
      .where(and(eq(webhooks.id, id), eq(webhooks.userId, userId)))
      .returning({ id: webhooks.id });
    return rows.length > 0;
  }
}
