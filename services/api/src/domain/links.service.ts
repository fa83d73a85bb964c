/**
 * Saving links: URL validation and normalisation, the submit-time egress check, duplicate
 * detection, and the hand-off of the first capture to the snapshot queue.
 */
import {
  AppError,
  ARTIFACT_KINDS,
  artifactKey,
  type CaptureOptionsInput,
  normalizeUrl,
  parseHttpUrl,
  type Resolver,
  resolveEgressTarget,
  type SnapshotJob,
  type SnapshotSource,
} from '@linksnap/shared';
import type { BlobsRepository } from '../db/blobs.repository.js';
import { isUuid } from '../db/errors.js';
import type { LinkRecord, LinksRepository } from '../db/links.repository.js';
import { timeOrderedId } from './ids.js';
import { type SnapshotSummary, toSnapshotSummary } from './snapshots.service.js';
import { checkUploadedPage } from './upload-page.js';

/** Where capture jobs go; implemented over BullMQ in queue/. */
export interface SnapshotEnqueuer {
  /** A higher `priority` number runs later (BullMQ); bulk imports use it. */
  enqueue(job: SnapshotJob, priority?: number): Promise<void>;
  /** Several jobs in one round trip. */
  enqueueMany(jobs: readonly SnapshotJob[]): Promise<void>;
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
  /** The re-capture schedule: the link's own here; GET /v1/links/{id} also resolves its tags'. */
  schedule: LinkSchedule | null;
  nextCaptureAt: string | null;
  /** Since when the page is gone (DNS failure, error page after a good one, soft 404); null while alive. */
  deadAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LinkSchedule {
  every: string;
  source: 'link' | 'tag';
  tagId: string | null;
}

export function ownSchedule(schedule: string | null): LinkSchedule | null {
  return schedule ? { every: schedule, source: 'link', tagId: null } : null;
}

/** One URL of a batch: saved (202), already saved (409) or refused (400), with the catalog error. */
export type BatchItem =
  | { url: string; status: 202; link: LinkView; snapshot: SnapshotSummary }
  | { url: string; status: number; error: AppError };

/** The most URLs one batch may carry. */
export const MAX_BATCH_URLS = 500;

/** Where uploaded pages are kept (object storage); the job carries the key, never the bytes. */
export interface UploadStore {
  put(key: string, body: Buffer, contentType: string): Promise<unknown>;
  removePrefix(prefix: string): Promise<unknown>;
}

export interface LinksServiceOptions {
  egressAllow: readonly string[];
  egressAllowOnly?: boolean;
  resolver?: Resolver;
  /** Needed by `createFromUpload`. */
  uploads?: UploadStore;
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
    schedule: ownSchedule(link.schedule),
    nextCaptureAt: null,
    deadAt: link.deadAt?.toISOString() ?? null,
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

/** The job's `options`, only when the request named any. */
function captureOptionsOf({ blockAds, formats, mode }: CaptureOptionsInput): Pick<SnapshotJob, 'options'> {
  const options = Object.fromEntries(
    Object.entries({ blockAds, formats, mode }).filter(([, value]) => value !== undefined),
  ) as CaptureOptionsInput;
  return Object.keys(options).length > 0 ? { options } : {};
}

export class LinksService {
  constructor(
    private readonly links: LinksRepository,
    private readonly queue: SnapshotEnqueuer,
    private readonly options: LinksServiceOptions,
    /** Names the earlier archives a re-capture may refer to (ADR 0017). */
    private readonly blobs: Pick<BlobsRepository, 'archiveBasesAfter'>,
  ) {}

  async create(
    userId: string,
    input: { url: string; tags?: string[]; title?: string | null; createdAt?: Date } & CaptureOptionsInput,
    requestId?: string,
    priority?: number,
  ): Promise<{ link: LinkView; snapshot: SnapshotSummary }> {
    const { url, normalizedUrl } = await this.checkUrl(input.url);
    const { outcome, job } = await this.insertNew(userId, { ...input, normalizedUrl, href: url.href, requestId });
    // Capture options travel with this first capture only (they are not stored on the link).
    const withOptions = { ...job, ...captureOptionsOf(input) };
    await this.enqueueOrUndo([withOptions], () => this.links.delete(job.linkId), priority);
    return { link: toLinkView(outcome.created), snapshot: toSnapshotSummary(outcome.snapshot) };
  }

  /**
   * An uploaded capture: the page as the user's browser serialised it (SingleFile HTML), for
   * `url`. The URL passes the same submit rules as `create` and the bytes must be HTML; then
   * the page is stored before its job is queued (the job carries its key), and a failure of
   * either undoes the link. The snapshotter renders it with every request refused.
   */
  async createFromUpload(
    userId: string,
    input: { url: string; tags?: string[]; page: Buffer },
    requestId?: string,
  ): Promise<{ link: LinkView; snapshot: SnapshotSummary }> {
    const uploads = this.options.uploads;
    if (!uploads) throw new AppError('INTERNAL', 'Uploaded captures are not configured.');
    const { url, normalizedUrl } = await this.checkUrl(input.url);
    checkUploadedPage(input.page);
    const { outcome, job } = await this.insertNew(userId, {
      ...input,
      normalizedUrl,
      href: url.href,
      requestId,
      source: 'upload',
    });
    const { snapshotId, linkId } = job;
    const key = artifactKey(snapshotId, 'upload');
    const undo = async () => {
      await uploads.removePrefix(`snapshots/${snapshotId}/`).catch(() => {});
      await this.links.delete(linkId);
    };
    try {
      await uploads.put(key, input.page, ARTIFACT_KINDS.upload.contentType);
    } catch (err) {
      await undo().catch(() => {});
      throw new AppError('STORAGE_UNAVAILABLE', 'The uploaded page could not be stored. Try again shortly.', {
        cause: err,
      });
    }
    await this.enqueueOrUndo([{ ...job, upload: { key } }], undo);
    return { link: toLinkView(outcome.created), snapshot: toSnapshotSummary(outcome.snapshot) };
  }

  /**
   * Saves a checked URL as a new link with its first snapshot, queued, and answers the job that
   * captures it. No duplicate check up front: the insert does nothing for a saved URL and says
   * so (LINK_ALREADY_EXISTS).
   */
  private async insertNew(
    userId: string,
    input: {
      url: string;
      normalizedUrl: string;
      /** The checked URL the job fetches. */
      href: string;
      requestId?: string;
      tags?: string[];
      title?: string | null;
      createdAt?: Date;
      source?: SnapshotSource;
    },
  ) {
    const snapshotId = timeOrderedId();
    const requestedAt = new Date();
    const outcome = await this.links.createWithSnapshot({
      userId,
      url: input.url.trim(),
      normalizedUrl: input.normalizedUrl,
      tagNames: normalizeTagNames(input.tags ?? []),
      snapshotId,
      requestedAt,
      title: input.title ?? null,
      createdAt: input.createdAt,
      source: input.source,
    });
    if ('existingId' in outcome) throw duplicate(outcome.existingId);
    const job: SnapshotJob = {
      snapshotId,
      linkId: outcome.created.link.id,
      userId,
      url: input.href,
      requestedAt: requestedAt.toISOString(),
      requestId: input.requestId,
    };
    return { outcome, job };
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
    const previous = record.link.latestGoodSnapshotId;
    const job = {
      snapshotId: snapshot.id,
      linkId,
      userId,
      url: parseHttpUrl(record.link.url).href,
      requestedAt: snapshot.requestedAt.toISOString(),
      requestId,
      // Payloads the previous good version archived become revisit records (ADR 0017).
      archiveBases: previous ? await this.blobs.archiveBasesAfter(previous) : [],
    };
    await this.enqueueOrUndo([job], () => this.links.deleteSnapshot(snapshot.id), priority);
    return toSnapshotSummary(snapshot);
  }

  /**
   * Several URLs with the rules of `create`, in input order. The rows go in with one insert
   * and the jobs with one addBulk; a URL repeated in the batch is saved once, then reported as
   * LINK_ALREADY_EXISTS naming that link. The batch fails as a whole only on a 5xx.
   */
  async createMany(
    userId: string,
    input: { urls: string[]; tags?: string[] },
    requestId?: string,
  ): Promise<BatchItem[]> {
    const tagNames = normalizeTagNames(input.tags ?? []);
    const checked = await Promise.all(input.urls.map((raw) => this.checkUrl(raw).catch(refusal)));
    const candidates = new Map<string, { raw: string; href: string; snapshotId: string }>();
    for (const [i, c] of checked.entries()) {
      if ('normalizedUrl' in c && !candidates.has(c.normalizedUrl)) {
        candidates.set(c.normalizedUrl, { raw: input.urls[i] ?? '', href: c.url.href, snapshotId: timeOrderedId() });
      }
    }
    const requestedAt = new Date();
    const rows = [...candidates].map(([normalizedUrl, c]) => ({
      url: c.raw.trim(),
      normalizedUrl,
      snapshotId: c.snapshotId,
    }));
    const outcome = await this.links.createManyWithSnapshots({ userId, tagNames, requestedAt, links: rows });
    const created = [...outcome.created.values()];
    const jobs = created.map(({ created: { link } }) => ({
      snapshotId: link.latestSnapshotId as string,
      linkId: link.id,
      userId,
      url: candidates.get(link.normalizedUrl)?.href ?? link.url,
      requestedAt: requestedAt.toISOString(),
      requestId,
    }));
    await this.enqueueOrUndo(jobs, () => this.links.deleteMany(created.map((c) => c.created.link.id)));
    const reported = new Set<string>();
    return input.urls.map((url, i): BatchItem => {
      const c = checked[i] as Awaited<ReturnType<LinksService['checkUrl']>> | { error: AppError };
      if ('error' in c) return { url, status: c.error.status, error: c.error };
      const made = outcome.created.get(c.normalizedUrl);
      if (made && !reported.has(c.normalizedUrl)) {
        reported.add(c.normalizedUrl);
        const view = { link: toLinkView(made.created), snapshot: toSnapshotSummary(made.snapshot) };
        return { url, status: 202, ...view };
      }
      const existingId = made?.created.link.id ?? outcome.existing.get(c.normalizedUrl) ?? '';
      return { url, status: 409, error: duplicate(existingId) };
    });
  }

  /** Without its job a snapshot would stay queued forever: undo the write instead. */
  private async enqueueOrUndo(jobs: SnapshotJob[], undo: () => Promise<void>, priority?: number): Promise<void> {
    if (jobs.length === 0) return;
    try {
      const [only] = jobs;
      if (only && jobs.length === 1) await this.queue.enqueue(only, priority);
      else await this.queue.enqueueMany(jobs);
    } catch (err) {
      // An add that timed out may still land: its job must not answer for the undone snapshot.
      await this.queue.markDeleted(jobs.map((j) => j.snapshotId)).catch(() => {});
      await undo().catch(() => {});
      throw new AppError('SERVICE_UNAVAILABLE', 'The capture queue is unavailable. Try again shortly.', {
        retryAfter: 5,
        cause: err,
      });
    }
  }

  /** The submit rules for one URL: an http(s) address, normalised, not aimed at a blocked network. */
  private async checkUrl(raw: string): Promise<{ url: URL; normalizedUrl: string }> {
    const url = parseHttpUrl(raw);
    const normalizedUrl = normalizeUrl(url);
    await this.checkEgress(url);
    return { url, normalizedUrl };
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

/** A URL's own refusal (4xx) becomes its batch item; anything else fails the whole batch. */
function refusal(err: unknown): { error: AppError } {
  if (err instanceof AppError && err.status < 500) return { error: err };
  throw err;
}

function duplicate(linkId: string): AppError {
  return new AppError('LINK_ALREADY_EXISTS', 'This URL is already saved.', {
    extensions: { linkId },
    headers: { Location: `/v1/links/${linkId}` },
  });
}
