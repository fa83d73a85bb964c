/**
 * The archive of a version as it stands alone (ADR 0017). A re-capture's WACZ holds `revisit`
 * records for payloads an earlier version archived; wherever an archive is opened or exported
 * (the `wacz` artifact, the replay, the link export), the earlier archives it refers to are
 * merged in (wacz-merge.ts), so the package served never depends on anything outside itself.
 * The version holds references to those archives' bodies, so deleting the versions that made
 * them leaves them in place.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type ArchiveBase, type ArchiveSigner, type Artifact, type ObjectStorage, verifyWacz } from '@linksnap/shared';
import { mergeWacz, type VersionArchive } from './wacz-merge.js';

const SOFTWARE = 'LinkSnap archive (revisits resolved)';

export interface ArchivedVersion {
  id: string;
  title?: string | null;
  finalUrl?: string | null;
  artifacts: Artifact[];
  archiveBases: ArchiveBase[];
}

export class StandaloneArchives {
  constructor(
    private readonly storage: ObjectStorage,
    private readonly signer: ArchiveSigner,
  ) {}

  /** Opens an artifact; a WACZ with revisits comes merged with the archives it refers to. */
  async open(row: ArchivedVersion, artifact: Artifact): Promise<{ artifact: Artifact; body: Readable }> {
    if (artifact.kind !== 'wacz' || row.archiveBases.length === 0) {
      return { artifact, body: await this.storage.get(artifact.key) };
    }
    const merged = Buffer.from(
      mergeWacz(await this.withBases([row]), {
        title: row.title ?? row.finalUrl ?? row.id,
        software: SOFTWARE,
        signer: this.signer,
      }),
    );
    const sha256 = createHash('sha256').update(merged).digest('hex');
    return { artifact: { ...artifact, bytes: merged.length, sha256 }, body: Readable.from([merged]) };
  }

  /**
   * The WACZ of each version (oldest first), each preceded by the earlier archives it refers to
   * that are not in the list already, every one verified (ARCHIVE_TAMPERED otherwise).
   */
  async withBases(rows: readonly ArchivedVersion[]): Promise<VersionArchive[]> {
    const out: VersionArchive[] = [];
    const seen = new Set<string>();
    const add = async (snapshotId: string, key: string) => {
      if (seen.has(snapshotId)) return;
      seen.add(snapshotId);
      const wacz = await this.storage.getBuffer(key);
      verifyWacz(wacz);
      out.push({ snapshotId, wacz });
    };
    const own = new Map(rows.map((r) => [r.id, r.artifacts.find((a) => a.kind === 'wacz')]));
    for (const row of rows) {
      for (const base of row.archiveBases) {
        // A base still listed as a version comes in its own turn (oldest first).
        if (!own.get(base.snapshotId)) await add(base.snapshotId, base.key);
      }
      const wacz = own.get(row.id);
      if (wacz) await add(row.id, wacz.key);
    }
    return out;
  }
}
