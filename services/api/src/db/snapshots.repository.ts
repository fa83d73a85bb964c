/** Queries on snapshots, including the idempotent write of a capture result. */
import { isFinalState, type SnapshotResult } from '@linksnap/shared';
import { and, eq, getTableColumns, inArray, lt, sql } from 'drizzle-orm';
import { isShowable, type VersionChange } from '../domain/change.js';
import { recordBlobRefs } from './blobs.repository.js';
import type { Db, Tx } from './database.js';
import { linkColumns, links, type SnapshotRow, snapshots } from './schema.js';

/** A snapshot row without its readable text and search vector (large, and only searched). */
export type SnapshotMeta = Omit<SnapshotRow, 'text'>;

const { text: _text, ...metaColumns } = getTableColumns(snapshots);

export type ApplyOutcome = 'applied' | 'already-final' | 'unknown-snapshot';

/**
 * The row of a snapshot whose result is not written yet: it is inserted with its ids and
 * request time only, and every other column keeps its default until `applyResult` writes the
 * final one. Job polling builds it from the queued job instead of reading it.
 */
export function unfinishedSnapshot(
  row: Pick<SnapshotMeta, 'id' | 'linkId' | 'userId' | 'requestedAt'> & Partial<Pick<SnapshotMeta, 'source'>>,
): SnapshotMeta {
  // A literal, not `{...row, …}`: Node 20 builds that far slower, and this runs on every poll.
  return {
    id: row.id,
    linkId: row.linkId,
    userId: row.userId,
    requestedAt: row.requestedAt,
    status: 'queued',
    attempts: 0,
    error: null,
    errorCode: null,
    httpStatus: null,
    finalUrl: null,
    contentType: null,
    title: null,
    lang: null,
    timings: null,
    artifacts: [],
    archiveBases: [],
    missing: [],
    change: null,
    startedAt: null,
    finishedAt: null,
    source: row.source ?? 'capture',
  };
}

/** An unfinished snapshot with what its capture job needs (the reconciler's view). */
export interface UnfinishedSnapshot {
  id: string;
  linkId: string;
  userId: string;
  attempts: number;
  requestedAt: Date;
  url: string;
}

export class SnapshotsRepository {
  /** Built once: job status polling runs this on every request. */
  private readonly byId;

  constructor(private readonly db: Db) {
    this.byId = db
      .select(metaColumns)
      .from(snapshots)
      .where(eq(snapshots.id, sql.placeholder('id')))
      .limit(1)
      .prepare('snapshot_meta_by_id');
  }

  /** Queued or active snapshots, oldest first: requested before `requestedBefore`, or the one `id`. */
  unfinished(filter: { requestedBefore: Date } | { id: string }, limit: number): Promise<UnfinishedSnapshot[]> {
    const which = 'id' in filter ? eq(snapshots.id, filter.id) : lt(snapshots.requestedAt, filter.requestedBefore);
    return this.db
      .select({
        id: snapshots.id,
        linkId: snapshots.linkId,
        userId: snapshots.userId,
        attempts: snapshots.attempts,
        requestedAt: snapshots.requestedAt,
        url: links.url,
      })
      .from(snapshots)
      .innerJoin(links, eq(links.id, snapshots.linkId))
      .where(and(inArray(snapshots.status, ['queued', 'active']), which))
      .orderBy(snapshots.requestedAt)
      .limit(limit);
  }

  async findById(id: string): Promise<SnapshotMeta | null> {
    const rows = await this.byId.execute({ id });
    return rows[0] ?? null;
  }

  /**
   * Writes a final result once: a snapshot already final is left alone, so replaying a result
   * message changes nothing. Also moves the link's latest snapshot forward and fills its title,
   * stores `change` (versions.service.ts) and, when this is the latest attempt, marks the link
   * dead (a `gone` change; the first date of a dead spell is kept) or alive (a showable version).
   */
  async applyResult(result: SnapshotResult, change: VersionChange | null = null): Promise<ApplyOutcome> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(snapshots).where(eq(snapshots.id, result.snapshotId)).for('update');
      if (!row) return 'unknown-snapshot';
      if (isFinalState(row.status)) return 'already-final';
      await tx
        .update(snapshots)
        .set({
          status: result.status,
          attempts: result.attempts,
          error: result.error,
          errorCode: result.error?.code ?? null,
          httpStatus: result.httpStatus,
          finalUrl: result.finalUrl,
          contentType: result.contentType,
          title: result.title,
          lang: result.lang,
          text: result.text,
          timings: result.timings,
          artifacts: result.artifacts,
          archiveBases: result.archiveBases,
          missing: result.missing,
          change,
          startedAt: result.startedAt ? new Date(result.startedAt) : null,
          finishedAt: new Date(result.finishedAt),
        })
        .where(eq(snapshots.id, row.id));
      await recordBlobRefs(tx, row.id, [...result.artifacts, ...result.archiveBases]);

      const [link] = await tx.select(linkColumns).from(links).where(eq(links.id, row.linkId)).for('update');
      if (!link) return 'applied';
      const isLatest = await isNewerThan(tx, row, link.latestSnapshotId);
      // A soft 404 (a 2xx page saying "not found") is no more the saved page than an error page.
      const good = isShowable(result);
      const isLatestGood = good && (await isNewerThan(tx, row, link.latestGoodSnapshotId));
      // An error page's title is the error's, not the page's.
      const title = link.title === null && good && result.title ? result.title : link.title;
      const deadAt = deadAfter(link.deadAt, isLatest, good, change);
      await tx
        .update(links)
        .set({
          latestSnapshotId: isLatest ? row.id : link.latestSnapshotId,
          latestGoodSnapshotId: isLatestGood ? row.id : link.latestGoodSnapshotId,
          title,
          deadAt,
          updatedAt: new Date(),
        })
        .where(eq(links.id, link.id));
      return 'applied';
    });
  }
}

/** Whether `row` was requested at or after the snapshot `currentId` (none, or gone: yes). */
async function isNewerThan(tx: Tx, row: Pick<SnapshotRow, 'id' | 'requestedAt'>, currentId: string | null) {
  if (currentId === null || currentId === row.id) return true;
  const [current] = await tx
    .select({ requestedAt: snapshots.requestedAt })
    .from(snapshots)
    .where(eq(snapshots.id, currentId));
  return !current || row.requestedAt.getTime() >= current.requestedAt.getTime();
}

/** Only the latest attempt speaks for the page today: gone keeps the first dead date, good clears it. */
function deadAfter(deadAt: Date | null, isLatest: boolean, good: boolean, change: VersionChange | null) {
  if (!isLatest) return deadAt;
  if (change?.status === 'gone') return deadAt ?? new Date();
  return good ? null : deadAt;
}
