/**
 * Short-lived signed artifact URLs. The signature (HMAC-SHA256 over snapshot id, kind and
 * expiry, with a key derived from the JWT secret) is the only credential: the archive route
 * reads no Authorization header and no cookie, so a page served from it has nothing to steal.
 * URLs point at the origin the caller passes (the archive listener or ARCHIVE_ORIGIN, see
 * http/archive-site.ts), else at the configured origin, else at `/archive/…` on the API itself.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError, type Artifact } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { SnapshotsRepository } from '../db/snapshots.repository.js';
import type { StandaloneArchives } from './standalone-archive.js';

/** Where a signed URL points (default: the configured origin) and the clock to sign with. */
export interface SignAt {
  origin?: string;
  now?: number;
}

export interface SignedArtifactUrl {
  url: string;
  expiresAt: string;
}

export class ArchiveLinks {
  constructor(
    private readonly key: Buffer,
    private readonly snapshots: SnapshotsRepository,
    private readonly archives: StandaloneArchives,
    private readonly options: { origin?: string; ttlSeconds: number },
  ) {}

  private signature(snapshotId: string, kind: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${snapshotId}\n${kind}\n${exp}`).digest('base64url');
  }

  /** Caller has already checked that the user owns the snapshot and it has this artifact. */
  sign(snapshotId: string, kind: string, { origin = this.origin, now = Date.now() }: SignAt = {}): SignedArtifactUrl {
    const exp = Math.floor(now / 1000) + this.options.ttlSeconds;
    const path = `/archive/${snapshotId}/${encodeURIComponent(kind)}?exp=${exp}&sig=${this.signature(snapshotId, kind, exp)}`;
    return { url: `${origin.replace(/\/+$/, '')}${path}`, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Where archive URLs point: ARCHIVE_ORIGIN, or '' for the API's own origin. */
  get origin(): string {
    return this.options.origin?.replace(/\/+$/, '') ?? '';
  }

  /**
   * The replay player of a snapshot's WACZ. It carries the signature of the `wacz` artifact
   * URL, which the player hands to ReplayWeb.page as its source: one credential for both.
   */
  signReplay(snapshotId: string, { origin = this.origin, now = Date.now() }: SignAt = {}): SignedArtifactUrl {
    const { url, expiresAt } = this.sign(snapshotId, 'wacz', { origin, now });
    const query = url.slice(url.indexOf('?'));
    return { url: `${origin.replace(/\/+$/, '')}/replay-player/${snapshotId}${query}`, expiresAt };
  }

  /** NOT_FOUND for a bad, expired or tampered signature: the URL simply does not exist. */
  verify(snapshotId: string, kind: string, exp: string | undefined, sig: string | undefined, now = Date.now()): void {
    const expiry = Number(exp);
    const valid =
      typeof sig === 'string' &&
      /^\d{1,12}$/.test(exp ?? '') &&
      expiry * 1000 > now &&
      (() => {
        const expected = Buffer.from(this.signature(snapshotId, kind, expiry));
        const given = Buffer.from(sig);
        return expected.length === given.length && timingSafeEqual(expected, given);
      })();
    if (!valid) throw new AppError('NOT_FOUND', 'The archive link is invalid or has expired.');
  }

  async open(snapshotId: string, kind: string): Promise<{ artifact: Artifact; body: Readable }> {
    const row = isUuid(snapshotId) ? await this.snapshots.findById(snapshotId) : null;
    const artifact = row?.artifacts.find((a) => a.kind === kind);
    if (!row || !artifact) throw new AppError('NOT_FOUND', 'The artifact does not exist.');
    return this.archives.open(row, artifact);
  }

  /** The page to open in a replay: the captured final URL and when it was captured. */
  async replayTarget(snapshotId: string): Promise<{ url: string | null; capturedAt: Date | null }> {
    const row = isUuid(snapshotId) ? await this.snapshots.findById(snapshotId) : null;
    if (!row?.artifacts.some((a) => a.kind === 'wacz')) throw new AppError('NOT_FOUND', 'The archive does not exist.');
    return { url: row.finalUrl, capturedAt: row.startedAt ?? row.requestedAt };
  }
}
