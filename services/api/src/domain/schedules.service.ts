/**
 * Re-capture schedules of links and tags. PostgreSQL holds what the user asked for; a BullMQ
 * job scheduler per link or tag (queue/recapture-scheduler.ts) fires it. A link's own schedule
 * wins over its tags'; a tag's schedule captures each of its links without one, spread over a
 * window. Every firing re-reads PostgreSQL, so a deleted link or tag, or a removed schedule,
 * stops its scheduler the next time it fires.
 */
import { AppError } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { ScheduleOwner, SchedulesRepository } from '../db/schedules.repository.js';
import { checkSchedule, patternOf } from './schedule.js';

export type RecaptureJob =
  | { kind: 'link'; linkId: string }
  | { kind: 'tag'; tagId: string }
  | { kind: 'tag-link'; tagId: string; linkId: string };

/** Where schedules fire: BullMQ job schedulers in queue/. */
export interface ScheduleStore {
  upsert(id: string, pattern: string, job: RecaptureJob): Promise<void>;
  remove(id: string): Promise<void>;
  /** Epoch ms of the scheduler's next firing, or null when there is none. */
  next(id: string): Promise<number | null>;
  /** A one-off job (a tag's capture of one link), delayed by `delayMs`; `jobId` makes it once. */
  addOnce(jobId: string, job: RecaptureJob, delayMs: number): Promise<void>;
}

/** Starts a capture of a link for its owner (LinksService.capture). */
export type Capture = (userId: string, linkId: string) => Promise<unknown>;

export interface ScheduleView {
  every: string;
  source: 'link' | 'tag';
  tagId: string | null;
  nextCaptureAt: string | null;
}

/** BullMQ priority of scheduled captures: like imports, they yield to links saved by hand. */
export const SCHEDULED_PRIORITY = 10;

export const linkSchedulerId = (linkId: string) => `link-${linkId}`;
export const tagSchedulerId = (tagId: string) => `tag-${tagId}`;

export class SchedulesService {
  constructor(
    private readonly repository: SchedulesRepository,
    private readonly store: ScheduleStore,
    private readonly options: { minIntervalMs: number; spreadMs: number },
  ) {}

  async setForLink(userId: string, linkId: string, every: string): Promise<ScheduleView> {
    const link = await this.owned('link', userId, linkId);
    const schedule = checkSchedule(every, this.options.minIntervalMs);
    await this.reach(() =>
      this.store.upsert(linkSchedulerId(link.id), patternOf(schedule, link.id), { kind: 'link', linkId }),
    );
    await this.repository.setLink(link.id, schedule);
    return (await this.forLink(link.id)) as ScheduleView;
  }

  async removeForLink(userId: string, linkId: string): Promise<void> {
    const link = await this.owned('link', userId, linkId);
    await this.repository.setLink(link.id, null);
    await this.reach(() => this.store.remove(linkSchedulerId(link.id)));
  }

  async setForTag(userId: string, tagId: string, every: string): Promise<ScheduleView> {
    const tag = await this.owned('tag', userId, tagId);
    const schedule = checkSchedule(every, this.options.minIntervalMs);
    await this.reach(() =>
      this.store.upsert(tagSchedulerId(tag.id), patternOf(schedule, tag.id), { kind: 'tag', tagId }),
    );
    await this.repository.setTag(tag.id, schedule);
    return { every: schedule, source: 'tag', tagId: tag.id, nextCaptureAt: await this.nextOf(tagSchedulerId(tag.id)) };
  }

  async removeForTag(userId: string, tagId: string): Promise<void> {
    const tag = await this.owned('tag', userId, tagId);
    await this.repository.setTag(tag.id, null);
    await this.reach(() => this.store.remove(tagSchedulerId(tag.id)));
  }

  /**
   * The schedule a link runs on (its own, else its tag's that fires first), or null. With Redis
   * unreachable the link still answers, with `nextCaptureAt: null`.
   */
  async forLink(linkId: string): Promise<ScheduleView | null> {
    const link = await this.repository.link(linkId);
    if (!link) return null;
    const nextOf = (id: string) => this.nextOf(id).catch(() => null);
    if (link.schedule) {
      const next = await nextOf(linkSchedulerId(link.id));
      return { every: link.schedule, source: 'link', tagId: null, nextCaptureAt: next };
    }
    let best: ScheduleView | null = null;
    for (const { tagId, schedule } of await this.repository.tagSchedules(link.id)) {
      const next = await nextOf(tagSchedulerId(tagId));
      if (!best || (next !== null && (best.nextCaptureAt === null || next < best.nextCaptureAt)))
        best = { every: schedule, source: 'tag', tagId, nextCaptureAt: next };
    }
    return best;
  }

  /** A deleted link's scheduler goes at once (a firing would also find the link gone and remove it). */
  async forgetLink(linkId: string): Promise<void> {
    await this.store.remove(linkSchedulerId(linkId)).catch(() => {});
  }

  /** Runs one firing: re-reads PostgreSQL, then captures, fans out, or stops a stale scheduler. */
  async fire(job: RecaptureJob, firingId: string, capture: Capture): Promise<string> {
    if (job.kind === 'tag') return this.fireTag(job.tagId, firingId);
    const link = await this.repository.link(job.linkId);
    if (job.kind === 'link' && !link?.schedule) {
      await this.store.remove(linkSchedulerId(job.linkId));
      return 'unscheduled';
    }
    if (!link || (job.kind === 'tag-link' && link.schedule)) return 'skipped';
    await capture(link.userId, link.id);
    return 'captured';
  }

  private async fireTag(tagId: string, firingId: string): Promise<string> {
    const tag = await this.repository.tag(tagId);
    if (!tag?.schedule) {
      await this.store.remove(tagSchedulerId(tagId));
      return 'unscheduled';
    }
    const linkIds = await this.repository.linksCoveredBy(tag.id);
    const spread = Math.min(this.options.spreadMs, this.options.minIntervalMs);
    for (const linkId of linkIds) {
      const delay = spread > 0 ? hashOf(linkId) % spread : 0;
      await this.store.addOnce(`${firingId}-${linkId}`, { kind: 'tag-link', tagId, linkId }, delay);
    }
    return `fanned out ${linkIds.length}`;
  }

  private async nextOf(id: string): Promise<string | null> {
    const next = await this.reach(() => this.store.next(id));
    return next === null ? null : new Date(next).toISOString();
  }

  private async owned(kind: 'link' | 'tag', userId: string, id: string): Promise<ScheduleOwner> {
    const row = isUuid(id) ? await (kind === 'link' ? this.repository.link(id) : this.repository.tag(id)) : null;
    if (!row || row.userId !== userId) throw new AppError('NOT_FOUND', `The ${kind} does not exist.`);
    return row;
  }

  /** Redis unreachable: 503 with Retry-After, like every other queue write. */
  private async reach<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw new AppError('SERVICE_UNAVAILABLE', 'The scheduler is unavailable. Try again shortly.', {
        retryAfter: 5,
        cause: err,
      });
    }
  }
}

function hashOf(id: string): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h;
}
