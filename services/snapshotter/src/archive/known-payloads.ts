/**
 * Payloads an earlier version of the link already archived (ADR 0017), read from the CDXJ index
 * of each WACZ the job names as a base: a capture writes a WARC `revisit` record (profile
 * identical-payload-digest) for a response whose payload digest is found here, instead of the
 * payload again. Every base a revisit points into is reported with the result, so the API keeps
 * it referenced and merges it in wherever the archive is opened or exported.
 */
import { type ArchiveBase, type Logger, type ObjectStorage, WACZ_CONTENT_TYPE } from '@linksnap/shared';
import { unzipSync } from 'fflate';

export interface KnownPayload {
  url: string;
  /** WARC-Date of the record holding the payload (the CDXJ timestamp, to the second). */
  date: string;
}

interface CdxjFields {
  url?: string;
  mime?: string;
  status?: string;
  digest?: string;
}

/** `20261204203001` → `2026-12-04T20:30:01Z`. */
function isoOf(ts: string): string {
  return `${ts.slice(0, 4)}-${ts.slice(4, 6)}-${ts.slice(6, 8)}T${ts.slice(8, 10)}:${ts.slice(10, 12)}:${ts.slice(12, 14)}Z`;
}

export class KnownPayloads {
  private readonly byDigest = new Map<string, KnownPayload & { base: ArchiveBase }>();
  private readonly usedBases = new Map<string, ArchiveBase>();
  private readonly bodies = new Map<string, Buffer>();

  /** The payloads of every base; a base that cannot be read only means fewer revisits. */
  static async load(storage: ObjectStorage, bases: readonly ArchiveBase[], log?: Logger): Promise<KnownPayloads> {
    const known = new KnownPayloads();
    for (const base of bases) {
      try {
        const body = await storage.getBuffer(base.key);
        known.add(base, unzipSync(body));
        known.bodies.set(base.snapshotId, body);
      } catch (err) {
        log?.warn(
          { err, base: base.snapshotId },
          'an earlier archive could not be read; its payloads are stored again',
        );
      }
    }
    return known;
  }

  private add(base: ArchiveBase, files: Record<string, Uint8Array>): void {
    for (const [name, data] of Object.entries(files)) {
      if (!name.startsWith('indexes/') || !/\.cdxj?$/.test(name)) continue;
      for (const line of Buffer.from(data).toString('utf8').split('\n')) {
        const [, ts, ...rest] = line.split(' ');
        if (!ts || rest.length === 0) continue;
        const fields = JSON.parse(rest.join(' ')) as CdxjFields;
        // Only a stored payload can be referred to: never another revisit, never an error page.
        if (!fields.digest || !fields.url || fields.mime === 'warc/revisit' || !/^2\d\d$/.test(fields.status ?? '')) {
          continue;
        }
        if (!this.byDigest.has(fields.digest))
          this.byDigest.set(fields.digest, { url: fields.url, date: isoOf(ts), base });
      }
    }
  }

  /** Where a payload with this sha256 (hex) is archived already; marks its base as needed. */
  lookup(sha256: string): KnownPayload | undefined {
    const found = this.byDigest.get(sha256);
    if (!found) return undefined;
    this.usedBases.set(found.base.snapshotId, found.base);
    return { url: found.url, date: found.date };
  }

  /** The bases at least one revisit refers to. */
  used(): ArchiveBase[] {
    return [...this.usedBases.values()];
  }

  /**
   * Writes the used bases again (same bytes, same key) before the result is sent: like every
   * body a capture stores, they are then younger than the sweeper's grace period, so a base
   * whose own version was deleted meanwhile is not removed before this version references it.
   */
  async refreshUsed(storage: ObjectStorage): Promise<void> {
    for (const base of this.used()) {
      const body = this.bodies.get(base.snapshotId);
      if (body) await storage.putBlob(body, WACZ_CONTENT_TYPE);
    }
  }
}
