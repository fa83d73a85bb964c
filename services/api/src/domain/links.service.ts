/**
 * Saving links: URL validation and normalisation, the submit-time egress check, duplicate
 * detection, and the hand-off of the first capture to the snapshot queue.
 */
import {
  AppError,
  normalizeUrl,
  parseHttpUrl,
  type Resolver,
  resolveEgressTarget,
  type SnapshotJob,
} from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import { timeOrderedId } from './ids.js';
import type { LinkRecord, LinksRepository } from './links.repository.js';
import { type SnapshotSummary, toSnapshotSummary } from './snapshots.service.js';

/** Where capture jobs go; implemented over BullMQ in queue/. */
export interface SnapshotEnqueuer {
  /** A higher `priority` number runs later (BullMQ); bulk imports use it. */
  enqueue(job: SnapshotJob, priority?: number): Promise<void>;
  /** The snapshots are gone: their jobs, even one added late, must not answer for them. */
  markDeleted(ids: readonly string[]): Promise<void>;
}

export interface LinkView {
  id: string;
  url: string;
  normalizedUrl: string;
  title: string | null;
  description: string | null;
  tags: { id: string; name: string }[];
  latestSnapshot: { id: string; status: string } | null;
  /** The version the link shows: the newest good one, older than `latestSnapshot` after a failure. */
  lastGoodSnapshotId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LinksServiceOptions {
  egressAllow: readonly string[];
  egressAllowOnly?: boolean;
  resolver?: Resolver;
}

export function toLinkView(record: LinkRecord): LinkView {
  const { link } = record;
  return {
    id: link.id,
    url: link.url,
    normalizedUrl: link.normalizedUrl,
    title: link.title,
    description: link.description,
    tags: record.tags,
    latestSnapshot: record.latest,
    lastGoodSnapshotId: link.latestGoodSnapshotId,
    createdAt: link.createdAt.toISOString(),
    updatedAt: link.updatedAt.toISOString(),
  };
}

/** Trimmed, 1–64 characters, de-duplicated case-insensitively (first spelling wins). */
export function normalizeTagNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of names) {
    const name = raw.trim();
    if (name.length < 1 || name.length > 64) {
      throw new AppError('VALIDATION_FAILED', 'Tag names must be 1 to 64 characters.');
    }
    if (!seen.has(name.toLowerCase())) seen.set(name.toLowerCase(), name);
  }
  return [...seen.values()];
}

export class LinksService {
  constructor(
    private readonly links: LinksRepository,
    private readonly queue: SnapshotEnqueuer,
    private readonly options: LinksServiceOptions,
  ) {}

  async create(
    userId: string,
    input: { url: string; tags?: string[]; title?: string | null; createdAt?: Date },
    requestId?: string,
    priority?: number,
  ): Promise<{ link: LinkView; snapshot: SnapshotSummary }> {
    const url = parseHttpUrl(input.url);
    const normalizedUrl = normalizeUrl(url);
    await this.checkEgress(url);
    const tagNames = normalizeTagNames(input.tags ?? []);

    // No duplicate check up front: the insert does nothing for a saved URL and says so.
    const snapshotId = timeOrderedId();
    const requestedAt = new Date();
    const outcome = await this.links.createWithSnapshot({
      userId,
      url: input.url.trim(),
      normalizedUrl,
      tagNames,
      snapshotId,
      requestedAt,
      title: input.title ?? null,
      createdAt: input.createdAt,
    });
    if ('existingId' in outcome) throw duplicate(outcome.existingId);

    const linkId = outcome.created.link.id;
    const job = { snapshotId, linkId, userId, url: url.href, requestedAt: requestedAt.toISOString(), requestId };
    await this.enqueueOrUndo(job, () => this.links.delete(linkId), priority);
    return { link: toLinkView(outcome.created), snapshot: toSnapshotSummary(outcome.snapshot) };
  }

  async get(userId: string, id: string): Promise<LinkView> {
    const record = isUuid(id) ? await this.links.findOwned(userId, id) : null;
    if (!record) throw new AppError('NOT_FOUND', 'The link does not exist.');
    return toLinkView(record);
  }

  /** A new capture of a saved link: a new snapshot version; earlier versions are kept. */
  async capture(userId: string, linkId: string, requestId?: string, priority?: number): Promise<SnapshotSummary> {
    const record = isUuid(linkId) ? await this.links.findOwned(userId, linkId) : null;
    if (!record) throw new AppError('NOT_FOUND', 'The link does not exist.');
    const snapshot = await this.links.addSnapshot(userId, linkId, timeOrderedId(), new Date());
    const job = {
      snapshotId: snapshot.id,
      linkId,
      userId,
      url: parseHttpUrl(record.link.url).href,
      requestedAt: snapshot.requestedAt.toISOString(),
      requestId,
    };
    await this.enqueueOrUndo(job, () => this.links.deleteSnapshot(snapshot.id), priority);
    return toSnapshotSummary(snapshot);
  }

  /** Without its job a snapshot would stay queued forever: undo the write instead. */
  private async enqueueOrUndo(job: SnapshotJob, undo: () => Promise<void>, priority?: number): Promise<void> {
    try {
      await this.queue.enqueue(job, priority);
    } catch (err) {
      // An add that timed out may still land: its job must not answer for the undone snapshot.
      await this.queue.markDeleted([job.snapshotId]).catch(() => {});
      await undo().catch(() => {});
      throw new AppError('SERVICE_UNAVAILABLE', 'The capture queue is unavailable. Try again shortly.', {
        retryAfter: 5,
        cause: err,
      });
    }
  }

  /** A blocked address is refused now; a name that does not resolve is left to the capture. */
  private async checkEgress(url: URL): Promise<void> {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    try {
      await resolveEgressTarget(url.hostname, port, {
        allow: this.options.egressAllow,
        allowOnly: this.options.egressAllowOnly,
        resolver: this.options.resolver,
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'DNS_FAILED') return;
      throw err;
    }
  }
}

function duplicate(linkId: string): AppError {
  return new AppError('LINK_ALREADY_EXISTS', 'This URL is already saved.', {
    extensions: { linkId },
    headers: { Location: `/v1/links/${linkId}` },
  });
}
