/** Writes on saved links and their snapshot versions: edit, tag changes, deletions. */
import { FINAL_STATES, isFinalState } from '@linksnap/shared';
import { and, desc, eq, inArray, notInArray, type SQL, sql } from 'drizzle-orm';
import type { Db, Tx } from './database.js';
import { links, linkTags, snapshots } from './schema.js';
import { namedTags } from './tags.repository.js';

export interface LinkEdit {
  title?: string | null;
  description?: string | null;
  tags?: string[];
  addTags: string[];
  removeTags: string[];
}

/** The link's newest good version (isGoodCapture, in SQL), as a subquery. */
function newestGood(linkId: string): SQL<string | null> {
  return sql`(select ${snapshots.id} from ${snapshots} where ${snapshots.linkId} = ${linkId}
    and ${snapshots.status} in ('succeeded', 'partial')
    and (${snapshots.httpStatus} is null or ${snapshots.httpStatus} < 400)
    order by ${snapshots.requestedAt} desc, ${snapshots.id} desc limit 1)`;
}

/**
 * Runs inside a deletion, after its rows are locked and before they go, with the ids of the
 * unfinished snapshots among them; a throw cancels the deletion.
 */
export type BeforeDelete = (unfinishedSnapshotIds: string[]) => Promise<void>;

/** Locks the user's link for the rest of the transaction; false when there is none. */
async function lockOwned(tx: Tx, userId: string, linkId: string): Promise<boolean> {
  const [link] = await tx
    .select({ id: links.id })
    .from(links)
    .where(and(eq(links.id, linkId), eq(links.userId, userId)))
    .for('update');
  return link !== undefined;
}

const unfinished = notInArray(snapshots.status, [...FINAL_STATES]);

export class LinksAdminRepository {
  constructor(private readonly db: Db) {}

  async update(userId: string, linkId: string, edit: LinkEdit): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await lockOwned(tx, userId, linkId))) return false;
      const fields: Partial<typeof links.$inferInsert> = { updatedAt: new Date() };
      if (edit.title !== undefined) fields.title = edit.title;
      if (edit.description !== undefined) fields.description = edit.description;
      await tx.update(links).set(fields).where(eq(links.id, linkId));
      if (edit.tags !== undefined) await tx.delete(linkTags).where(eq(linkTags.linkId, linkId));
      const add = (await namedTags(tx, userId, [...(edit.tags ?? []), ...edit.addTags], true)).map((t) => t.id);
      if (add.length > 0) {
        await tx
          .insert(linkTags)
          .values(add.map((tagId) => ({ linkId, tagId })))
          .onConflictDoNothing();
      }
      const remove = (await namedTags(tx, userId, edit.removeTags, false)).map((t) => t.id);
      if (remove.length > 0) {
        await tx.delete(linkTags).where(and(eq(linkTags.linkId, linkId), inArray(linkTags.tagId, remove)));
      }
      return true;
    });
  }

  /** Deletes the link (its snapshots and tag links cascade); answers the snapshot ids it had. */
  async delete(userId: string, linkId: string, beforeDelete: BeforeDelete): Promise<string[] | null> {
    return this.db.transaction(async (tx) => {
      // The lock keeps a new version from being added meanwhile (its insert waits, then fails).
      if (!(await lockOwned(tx, userId, linkId))) return null;
      const rows = await tx
        .select({ id: snapshots.id, status: snapshots.status })
        .from(snapshots)
        .where(eq(snapshots.linkId, linkId));
      await beforeDelete(rows.filter((r) => !isFinalState(r.status)).map((r) => r.id));
      await tx.delete(links).where(eq(links.id, linkId));
      return rows.map((r) => r.id);
    });
  }

  async versions(linkId: string) {
    return this.db
      .select()
      .from(snapshots)
      .where(eq(snapshots.linkId, linkId))
      .orderBy(desc(snapshots.requestedAt), desc(snapshots.id));
  }

  /** Deletes one version; if it was the latest, the next newest version becomes the latest. */
  async deleteSnapshot(userId: string, snapshotId: string, beforeDelete: BeforeDelete): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const mine = and(eq(snapshots.id, snapshotId), eq(snapshots.userId, userId));
      const [open] = await tx.select({ id: snapshots.id }).from(snapshots).where(and(mine, unfinished)).for('update');
      if (open) await beforeDelete([open.id]);
      const [row] = await tx.delete(snapshots).where(mine).returning({ linkId: snapshots.linkId });
      if (!row) return false;
      const [next] = await tx
        .select({ id: snapshots.id })
        .from(snapshots)
        .where(eq(snapshots.linkId, row.linkId))
        .orderBy(desc(snapshots.requestedAt), desc(snapshots.id))
        .limit(1);
      await tx
        .update(links)
        .set({ latestSnapshotId: next?.id ?? null })
        .where(and(eq(links.id, row.linkId), sql`${links.latestSnapshotId} is null`));
      await tx
        .update(links)
        .set({ latestGoodSnapshotId: newestGood(row.linkId) })
        .where(and(eq(links.id, row.linkId), sql`${links.latestGoodSnapshotId} is null`));
      return true;
    });
  }
}
