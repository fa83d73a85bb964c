/** Queries behind change detection and diffs: a version's comparable fields, its previous good one, dead marks. */
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { goodVersion, links, type SnapshotRow, snapshots } from './schema.js';

const comparable = {
  id: snapshots.id,
  linkId: snapshots.linkId,
  userId: snapshots.userId,
  status: snapshots.status,
  httpStatus: snapshots.httpStatus,
  errorCode: snapshots.errorCode,
  finalUrl: snapshots.finalUrl,
  title: snapshots.title,
  text: snapshots.text,
  artifacts: snapshots.artifacts,
  change: snapshots.change,
  requestedAt: snapshots.requestedAt,
};

export type ComparableRow = Pick<SnapshotRow, keyof typeof comparable>;

export class VersionsRepository {
  constructor(private readonly db: Db) {}

  async find(id: string): Promise<ComparableRow | null> {
    const [row] = await this.db.select(comparable).from(snapshots).where(eq(snapshots.id, id)).limit(1);
    return row ?? null;
  }

  /** Good-status versions requested before `row`, newest first (the caller skips soft 404s). */
  async goodBefore(row: Pick<ComparableRow, 'id' | 'linkId' | 'requestedAt'>, limit = 10): Promise<ComparableRow[]> {
    return this.db
      .select(comparable)
      .from(snapshots)
      .where(
        and(
          eq(snapshots.linkId, row.linkId),
          inArray(snapshots.status, ['succeeded', 'partial']),
          goodVersion,
          or(
            lt(snapshots.requestedAt, row.requestedAt),
            and(eq(snapshots.requestedAt, row.requestedAt), lt(snapshots.id, row.id)),
          ),
        ),
      )
      .orderBy(desc(snapshots.requestedAt), desc(snapshots.id))
      .limit(limit);
  }

  /** A final version's stored change, and its link's dead date while it is the link's latest attempt. */
  async outcomeOf(id: string) {
    const [row] = await this.db
      .select({
        snapshotId: snapshots.id,
        linkId: snapshots.linkId,
        userId: snapshots.userId,
        change: snapshots.change,
        deadAt:
          sql<Date | null>`case when ${links.latestSnapshotId} = ${snapshots.id} then ${links.deadAt} end`.mapWith(
            links.deadAt,
          ),
      })
      .from(snapshots)
      .innerJoin(links, eq(links.id, snapshots.linkId))
      .where(eq(snapshots.id, id));
    return row ?? null;
  }
}
