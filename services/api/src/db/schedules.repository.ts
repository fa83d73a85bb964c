/** Queries on re-capture schedules: the link's own, its tags', and the links a tag schedule covers. */
import { and, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Db } from './database.js';
import { links, linkTags, tags } from './schema.js';

export interface ScheduleOwner {
  id: string;
  userId: string;
  schedule: string | null;
}

export class SchedulesRepository {
  constructor(private readonly db: Db) {}

  async link(id: string): Promise<ScheduleOwner | null> {
    const [row] = await this.db
      .select({ id: links.id, userId: links.userId, schedule: links.schedule })
      .from(links)
      .where(eq(links.id, id));
    return row ?? null;
  }

  async tag(id: string): Promise<ScheduleOwner | null> {
    const [row] = await this.db
      .select({ id: tags.id, userId: tags.userId, schedule: tags.schedule })
      .from(tags)
      .where(eq(tags.id, id));
    return row ?? null;
  }

  async setLink(id: string, schedule: string | null): Promise<void> {
    await this.db.update(links).set({ schedule }).where(eq(links.id, id));
  }

  async setTag(id: string, schedule: string | null): Promise<void> {
    await this.db.update(tags).set({ schedule }).where(eq(tags.id, id));
  }

  /** The scheduled tags of a link. */
  async tagSchedules(linkId: string): Promise<{ tagId: string; schedule: string }[]> {
    const rows = await this.db
      .select({ tagId: tags.id, schedule: tags.schedule })
      .from(linkTags)
      .innerJoin(tags, eq(tags.id, linkTags.tagId))
      .where(and(eq(linkTags.linkId, linkId), isNotNull(tags.schedule)));
    return rows.filter((r): r is { tagId: string; schedule: string } => r.schedule !== null);
  }

  /** The tag's links without a schedule of their own: the ones the tag's schedule captures. */
  async linksCoveredBy(tagId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: links.id })
      .from(linkTags)
      .innerJoin(links, eq(links.id, linkTags.linkId))
      .where(and(eq(linkTags.tagId, tagId), isNull(links.schedule)));
    return rows.map((r) => r.id);
  }
}
