/**
 * A saved link once it exists: its full view (with the schedule its tags may give it), editing,
 * deleting (with its re-capture scheduler), and its snapshot versions. Deleting a version drops its
 * rows, and with them its references to content-addressed bodies (`blob_refs`, ADR 0017): a body
 * no other version holds is removed by the blob sweeper, never here, since another version may
 * share it. Objects stored before content addressing (under `snapshots/{id}/`, never shared)
 * are removed right after the rows are gone. The queue is told first about unfinished
 * snapshots, whose status polls it answers by itself.
 */
import { AppError, isErrorCapture, type ObjectStorage } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { LinksAdminRepository } from '../db/links-admin.repository.js';
import type { SnapshotRow } from '../db/schema.js';
import { type LinksService, type LinkView, normalizeTagNames } from './links.service.js';
import type { SchedulesService } from './schedules.service.js';

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

export interface LinksAdminDeps {
  repository: LinksAdminRepository;
  storage: ObjectStorage;
  deleted: DeletedSnapshots;
  /** Reads a link for its owner (NOT_FOUND otherwise): the shape every link answer has. */
  links: Pick<LinksService, 'get'>;
  /** The link's re-capture schedule, resolved through its tags; absent: views carry only their own. */
  schedules?: Pick<SchedulesService, 'forLink' | 'forgetLink'>;
}

export class LinksAdminService {
  private readonly repository: LinksAdminRepository;
  private readonly storage: ObjectStorage;
  private readonly deleted: DeletedSnapshots;
  private readonly links: Pick<LinksService, 'get'>;
  private readonly schedules: LinksAdminDeps['schedules'];

  constructor(deps: LinksAdminDeps) {
    this.repository = deps.repository;
    this.storage = deps.storage;
    this.deleted = deps.deleted;
    this.links = deps.links;
    this.schedules = deps.schedules;
  }

  /** Passed to deletions: their unfinished snapshots' jobs stop answering before the rows go. */
  private readonly forget = (unfinished: string[]) => this.deleted.markDeleted(unfinished);

  /** The link as GET /v1/links/{id} shows it: a schedule one of its tags gives it is resolved too. */
  async view(userId: string, linkId: string): Promise<LinkView> {
    const view = await this.links.get(userId, linkId);
    const schedule = await this.schedules?.forLink(view.id);
    if (!schedule) return view;
    const { nextCaptureAt, ...rest } = schedule;
    return { ...view, schedule: rest, nextCaptureAt };
  }

  /** Applies the edit and answers the edited link (its own schedule only, as lists show it). */
  async update(userId: string, linkId: string, patch: LinkPatch): Promise<LinkView> {
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
    return this.links.get(userId, linkId);
  }

  /**
   * Deletes the link with every snapshot and stored object, then its scheduler (a firing that
   * came first would also find the link gone and remove it).
   */
  async delete(userId: string, linkId: string): Promise<void> {
    const snapshotIds = isUuid(linkId) ? await this.repository.delete(userId, linkId, this.forget) : null;
    if (!snapshotIds) throw notFound('link');
    for (const id of snapshotIds) await this.storage.removePrefix(`snapshots/${id}/`);
    await this.schedules?.forgetLink(linkId);
  }

  /** Every version of the user's link, newest first. */
  async versions(userId: string, linkId: string): Promise<VersionView[]> {
    const link = await this.links.get(userId, linkId);
    const rows = await this.repository.versions(link.id);
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
