/**
 * Content-addressed bodies (ADR 0017): which versions reference which body (`blob_refs`), the
 * bodies no version references any more (for the sweeper), and the storage a user's versions
 * take up with and without sharing (`GET /v1/usage`).
 */
import { type ArchiveBase, type Artifact, blobHashOf } from '@linksnap/shared';
import { and, eq, inArray, notExists, sql } from 'drizzle-orm';
import type { Db, Tx } from './database.js';
import { rowsOf } from './links.repository.js';
import { blobRefs, blobs, snapshots } from './schema.js';

export interface Usage {
  links: number;
  snapshots: number;
  bytesStored: number;
  bytesLogical: number;
}

/**
 * References a version's content-addressed bodies (its artifacts, and the earlier archives its
 * WACZ refers to), in the transaction that writes its result: after the snapshotter stored the
 * bodies, so a reference never precedes its body. Bodies under a per-snapshot key (stored
 * before ADR 0017) need none.
 */
export async function recordBlobRefs(
  tx: Tx,
  snapshotId: string,
  artifacts: readonly Pick<Artifact, 'key' | 'bytes'>[],
): Promise<void> {
  const held = new Map<string, number>();
  for (const a of artifacts) {
    const hash = blobHashOf(a.key);
    if (hash) held.set(hash, a.bytes);
  }
  if (held.size === 0) return;
  const rows = [...held].map(([sha256, bytes]) => ({ sha256, bytes }));
  await tx.insert(blobs).values(rows).onConflictDoNothing();
  await tx
    .insert(blobRefs)
    .values(rows.map(({ sha256 }) => ({ snapshotId, sha256 })))
    .onConflictDoNothing();
}

export class BlobsRepository {
  constructor(private readonly db: Db | Tx) {}

  /**
   * Of these bodies, the ones no version references, forgotten in the same statement (their
   * `blobs` rows deleted): the caller removes their objects next. A body that has no row at
   * all (uploaded by a capture that never reported) is unreferenced too.
   */
  async forgetUnreferenced(hashes: readonly string[]): Promise<string[]> {
    if (hashes.length === 0) return [];
    const referenced = await this.db
      .selectDistinct({ sha256: blobRefs.sha256 })
      .from(blobRefs)
      .where(inArray(blobRefs.sha256, [...hashes]));
    const keep = new Set(referenced.map((r) => r.sha256));
    const unreferenced = hashes.filter((h) => !keep.has(h));
    if (unreferenced.length === 0) return [];
    await this.db
      .delete(blobs)
      .where(
        and(
          inArray(blobs.sha256, unreferenced),
          notExists(this.db.select().from(blobRefs).where(eq(blobRefs.sha256, blobs.sha256))),
        ),
      );
    return unreferenced;
  }

  /**
   * The archives a new capture may refer to instead of storing their payloads again: the WACZ
   * of `snapshotId` (the link's latest good version) and the archives that one refers to.
   * Only content-addressed bodies qualify: their references keep them while a version needs them.
   */
  async archiveBasesAfter(snapshotId: string): Promise<ArchiveBase[]> {
    const [row] = await this.db
      .select({ artifacts: snapshots.artifacts, archiveBases: snapshots.archiveBases })
      .from(snapshots)
      .where(eq(snapshots.id, snapshotId));
    if (!row) return [];
    const wacz = row.artifacts.find((a) => a.kind === 'wacz' && blobHashOf(a.key) !== null);
    const own = wacz ? [{ snapshotId, key: wacz.key, sha256: wacz.sha256, bytes: wacz.bytes }] : [];
    return [...row.archiveBases, ...own];
  }

  /** Links, versions and bytes of one user (or of the whole instance when `userId` is null). */
  async usage(userId: string | null): Promise<Usage> {
    const mine = (alias: string) => (userId === null ? sql`true` : sql`${sql.raw(alias)}.user_id = ${userId}`);
    const result = await this.db.execute(sql`
      select
        (select count(*) from links l where ${mine('l')}) as links,
        (select count(*) from snapshots s where ${mine('s')}) as snapshots,
        (select coalesce(sum((a->>'bytes')::bigint), 0) from snapshots s, jsonb_array_elements(s.artifacts) a
          where ${mine('s')}) as logical,
        (select coalesce(sum(b.bytes), 0) from blobs b where b.sha256 in (
          select r.sha256 from blob_refs r join snapshots s on s.id = r.snapshot_id where ${mine('s')}))
        + (select coalesce(sum((a->>'bytes')::bigint), 0) from snapshots s, jsonb_array_elements(s.artifacts) a
          where ${mine('s')} and a->>'key' not like 'blobs/%') as stored`);
    const row = rowsOf<{ links: string; snapshots: string; logical: string; stored: string }>(result)[0];
    return {
      links: Number(row?.links ?? 0),
      snapshots: Number(row?.snapshots ?? 0),
      bytesStored: Number(row?.stored ?? 0),
      bytesLogical: Number(row?.logical ?? 0),
    };
  }
}
