/**
 * Editing and deleting saved links and their snapshot versions. Deleting a version drops its
 * rows, and with them its references to content-addressed bodies (`blob_refs`, ADR 0017): a body
 * no other version holds is removed by the blob sweeper, never here, since another version may
 * share it. Objects stored before content addressing (under `snapshots/{id}/`, never shared)
 * are removed right after the rows are gone. The queue is told first about unfinished
 * snapshots, whose status polls it answers by itself.
 */
import { AppError, isErrorCapture, type ObjectStorage } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { SnapshotRow } from '../db/schema.js';
import { normalizeTagNames } from './links.service.js';
import type { LinksAdminRepository } from './links-admin.repository.js';

/** Where polls of unfinished snapshots are answered from; implemented over BullMQ in queue/. */
export interface DeletedSnapshots {
  /** From now on their jobs (even one still being added) answer nothing of their own. */
  markDeleted(ids: readonly string[]): Promise<void>;
}

export interface LinkPatch {
  title?: string | null;
  description?: string | null;
  tags?: string[];
  addTags?: string[];
  removeTags?: string[];
}

export interface VersionView {
  id: string;
  status: string;
  title: string | null;
  requestedAt: string;
  finishedAt: string | null;
  totalBytes: number;
  httpStatus: number | null;
  errorCapture: boolean;
  error: { code: string; title: string; detail: string } | null;
  change: SnapshotRow['change'];
}

const notFound = (what: string) => new AppError('NOT_FOUND', `The ${what} does not exist.`);

export class LinksAdminService {
  constructor(
    private readonly repository: LinksAdminRepository,
    private readonly storage: ObjectStorage,
    private readonly deleted: DeletedSnapshots,
  ) {}

  /** Passed to deletions: their unfinished snapshots' jobs stop answering before the rows go. */
  private readonly forget = (unfinished: string[]) => this.deleted.markDeleted(unfinished);

  async update(userId: string, linkId: string, patch: LinkPatch): Promise<void> {
    const ok =
      isUuid(linkId) &&
      (await this.repository.update(userId, linkId, {
        title: patch.title,
        description: patch.description,
        tags: patch.tags === undefined ? undefined : normalizeTagNames(patch.tags),
        addTags: normalizeTagNames(patch.addTags ?? []),
        removeTags: normalizeTagNames(patch.removeTags ?? []),
      }));
    if (!ok) throw notFound('link');
  }

  async delete(userId: string, linkId: string): Promise<void> {
    const snapshotIds = isUuid(linkId) ? await this.repository.delete(userId, linkId, this.forget) : null;
    if (!snapshotIds) throw notFound('link');
    for (const id of snapshotIds) await this.storage.removePrefix(`snapshots/${id}/`);
  }

  /** Every version of the link, newest first. The caller has checked ownership. */
  async versions(linkId: string): Promise<VersionView[]> {
    const rows = await this.repository.versions(linkId);
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      title: row.title,
      requestedAt: row.requestedAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      totalBytes: row.artifacts.reduce((sum, a) => sum + a.bytes, 0),
      httpStatus: row.httpStatus,
      errorCapture: isErrorCapture(row.httpStatus),
      error: row.error ?? null,
      change: row.change ?? null,
    }));
  }

  async deleteSnapshot(userId: string, snapshotId: string): Promise<void> {
    const ok = isUuid(snapshotId) && (await this.repository.deleteSnapshot(userId, snapshotId, this.forget));
    if (!ok) throw notFound('snapshot');
    await this.storage.removePrefix(`snapshots/${snapshotId}/`);
  }
}
