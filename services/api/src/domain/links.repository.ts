/** Queries on links, their tags and their first snapshot. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/database.js';
import { type LinkRow, links, linkTags, type SnapshotRow, snapshots, type TagRow, tags } from '../db/schema.js';

export interface NewLink {
  userId: string;
  url: string;
  normalizedUrl: string;
  tagNames: string[];
  snapshotId: string;
  requestedAt: Date;
  title?: string | null;
  /** Kept from an import (ADD_DATE); defaults to now. */
  createdAt?: Date;
}

export interface LinkRecord {
  link: LinkRow;
  tags: Pick<TagRow, 'id' | 'name'>[];
  latest: Pick<SnapshotRow, 'id' | 'status'> | null;
}

export type CreateOutcome = { created: LinkRecord; snapshot: SnapshotRow } | { existingId: string };

export class LinksRepository {
  constructor(private readonly db: Db) {}

  async findIdByNormalizedUrl(userId: string, normalizedUrl: string): Promise<string | null> {
    const rows = await this.db
      .select({ id: links.id })
      .from(links)
      .where(and(eq(links.userId, userId), eq(links.normalizedUrl, normalizedUrl)))
      .limit(1);
    return rows[0]?.id ?? null;
  }

  /** Link, tags and queued snapshot in one transaction; a concurrent duplicate yields its id. */
  async createWithSnapshot(input: NewLink): Promise<CreateOutcome> {
    return this.db.transaction(async (tx) => {
      const [link] = await tx
        .insert(links)
        .values({
          userId: input.userId,
          url: input.url,
          normalizedUrl: input.normalizedUrl,
          title: input.title ?? null,
          ...(input.createdAt ? { createdAt: input.createdAt } : {}),
        })
        .onConflictDoNothing()
        .returning();
      if (!link) {
        const [existing] = await tx
          .select({ id: links.id })
          .from(links)
          .where(and(eq(links.userId, input.userId), eq(links.normalizedUrl, input.normalizedUrl)));
        return { existingId: existing?.id ?? '' };
      }
      const linkTagRows = await this.attachTags(tx, input.userId, link.id, input.tagNames);
      const [snapshot] = await tx
        .insert(snapshots)
        .values({ id: input.snapshotId, linkId: link.id, userId: input.userId, requestedAt: input.requestedAt })
        .returning();
      const [updated] = await tx
        .update(links)
        .set({ latestSnapshotId: input.snapshotId })
        .where(eq(links.id, link.id))
        .returning();
      const snap = snapshot as SnapshotRow;
      return {
        created: { link: updated ?? link, tags: linkTagRows, latest: { id: snap.id, status: snap.status } },
        snapshot: snap,
      };
    });
  }

  /** Finds or creates the user's tags (case-insensitively) and links them. */
  private async attachTags(tx: Tx, userId: string, linkId: string, names: string[]) {
    if (names.length === 0) return [];
    await tx
      .insert(tags)
      .values(names.map((name) => ({ userId, name })))
      .onConflictDoNothing();
    const rows = await tx
      .select({ id: tags.id, name: tags.name })
      .from(tags)
      .where(
        and(
          eq(tags.userId, userId),
          inArray(
            sql`lower(${tags.name})`,
            names.map((n) => n.toLowerCase()),
          ),
        ),
      );
    if (rows.length > 0) {
      await tx
        .insert(linkTags)
        .values(rows.map((t) => ({ linkId, tagId: t.id })))
        .onConflictDoNothing();
    }
    return rows.sort((a, b) => a.name.localeCompare(b.name));
  }

  async addSnapshot(userId: string, linkId: string, id: string, requestedAt: Date): Promise<SnapshotRow> {
    const [row] = await this.db.insert(snapshots).values({ id, linkId, userId, requestedAt }).returning();
    return row as SnapshotRow;
  }

  async deleteSnapshot(id: string): Promise<void> {
    await this.db.delete(snapshots).where(eq(snapshots.id, id));
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(links).where(eq(links.id, id));
  }

  async findOwned(userId: string, id: string): Promise<LinkRecord | null> {
    const [link] = await this.db
      .select()
      .from(links)
      .where(and(eq(links.id, id), eq(links.userId, userId)))
      .limit(1);
    if (!link) return null;
    const tagRows = await this.db
      .select({ id: tags.id, name: tags.name })
      .from(linkTags)
      .innerJoin(tags, eq(tags.id, linkTags.tagId))
      .where(eq(linkTags.linkId, id))
      .orderBy(tags.name);
    let latest: LinkRecord['latest'] = null;
    if (link.latestSnapshotId) {
      const [snap] = await this.db
        .select({ id: snapshots.id, status: snapshots.status })
        .from(snapshots)
        .where(eq(snapshots.id, link.latestSnapshotId));
      latest = snap ?? null;
    }
    return { link, tags: tagRows, latest };
  }
}
