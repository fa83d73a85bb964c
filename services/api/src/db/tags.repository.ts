/** Queries on a user's tags: counts, create, rename, merge, delete. */
import { and, asc, count, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from './database.js';
import { linkTags, type TagRow, tags } from './schema.js';

export interface TagCount {
  id: string;
  name: string;
  linkCount: number;
  schedule: string | null;
}

/**
 * The user's tags named `names` (case-insensitively), created first when `create` is set; in a
 * link write's transaction.
 */
export async function namedTags(
  tx: Tx,
  userId: string,
  names: string[],
  create: boolean,
): Promise<{ id: string; name: string }[]> {
  if (names.length === 0) return [];
  if (create) {
    await tx
      .insert(tags)
      .values(names.map((name) => ({ userId, name })))
      .onConflictDoNothing();
  }
  const lowered = names.map((n) => n.toLowerCase());
  return tx
    .select({ id: tags.id, name: tags.name })
    .from(tags)
    .where(and(eq(tags.userId, userId), inArray(sql`lower(${tags.name})`, lowered)));
}

export class TagsRepository {
  constructor(private readonly db: Db) {}

  async list(userId: string, sort: 'name' | 'count'): Promise<TagCount[]> {
    const linkCount = count(linkTags.linkId);
    const rows = await this.db
      .select({ id: tags.id, name: tags.name, linkCount, schedule: tags.schedule })
      .from(tags)
      .leftJoin(linkTags, eq(linkTags.tagId, tags.id))
      .where(eq(tags.userId, userId))
      .groupBy(tags.id, tags.name, tags.schedule)
      .orderBy(...(sort === 'count' ? [desc(linkCount)] : []), asc(sql`lower(${tags.name})`), asc(tags.id));
    return rows.map((r) => ({ ...r, linkCount: Number(r.linkCount) }));
  }

  async count(tagId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(linkTags).where(eq(linkTags.tagId, tagId));
    return Number(row?.n ?? 0);
  }

  /** The new tag, or null when the name is taken (case-insensitively). */
  async create(userId: string, name: string): Promise<TagRow | null> {
    const [row] = await this.db.insert(tags).values({ userId, name }).onConflictDoNothing().returning();
    return row ?? null;
  }

  async findOwned(userId: string, id: string): Promise<TagRow | null> {
    const [row] = await this.db
      .select()
      .from(tags)
      .where(and(eq(tags.id, id), eq(tags.userId, userId)));
    return row ?? null;
  }

  async findByName(userId: string, name: string): Promise<TagRow | null> {
    const [row] = await this.db
      .select()
      .from(tags)
      .where(and(eq(tags.userId, userId), eq(sql`lower(${tags.name})`, name.toLowerCase())));
    return row ?? null;
  }

  async rename(id: string, name: string): Promise<void> {
    await this.db.update(tags).set({ name }).where(eq(tags.id, id));
  }

  /** Moves every link of `sourceId` onto `targetId` (one copy each), then drops the source. */
  async merge(sourceId: string, targetId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(
        sql`insert into ${linkTags} (link_id, tag_id) select link_id, ${targetId}::uuid from ${linkTags} where tag_id = ${sourceId}::uuid on conflict do nothing`,
      );
      await tx.delete(tags).where(eq(tags.id, sourceId));
    });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(tags)
      .where(and(eq(tags.id, id), eq(tags.userId, userId)))
      .returning({ id: tags.id });
    return rows.length > 0;
  }
}
