/**
 * Versions that track change: before a result is written, compares it with the link's previous
 * good version (text, screenshot, status), so the final row carries its change (and the link
 * its dead mark, snapshots.repository.ts);
 * on request, diffs any two versions of one link (text ops, changed boxes, a highlight PNG).
 */
import { AppError, isFinalState, type ObjectStorage, type SnapshotResult } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { ComparableRow, VersionsRepository } from '../db/versions.repository.js';
import { type ComparedVersion, isShowable, statusChange, textChange, type VersionChange } from './change.js';
import { diffText, type TextOp } from './text-diff.js';
import { type Box, compareImages, decodeImage, encodePng, highlightImage } from './visual-diff.js';

export interface ChangeOutcome {
  snapshotId: string;
  linkId: string;
  userId: string;
  change: VersionChange | null;
  /** Set when this version left the link dead: the first date of its dead spell. */
  deadAt: Date | null;
}

export interface DiffView {
  from: string;
  to: string;
  text: TextOp[];
  visual: { changedRatio: number; boxes: Box[]; width: number; height: number } | null;
  imageUrl: string | null;
}

type Compared = ComparedVersion & Pick<ComparableRow, 'artifacts'>;

const screenshotKey = (row: Pick<ComparableRow, 'artifacts'>) =>
  row.artifacts.find((a) => a.kind === 'screenshot')?.key ?? null;

export class VersionsService {
  constructor(
    private readonly repository: VersionsRepository,
    private readonly storage: ObjectStorage,
  ) {}

  /**
   * The change of a result not yet written, compared with the link's previous good version; the
   * results consumer writes it with the row (and the dead mark) in one transaction. Null for a
   * replay (the row is already final) and for a version with nothing to compare.
   */
  async assess(result: SnapshotResult): Promise<VersionChange | null> {
    const row = await this.repository.find(result.snapshotId);
    if (!row || isFinalState(row.status)) return null;
    const previous = (await this.repository.goodBefore(row)).find(isShowable) ?? null;
    const current: Compared = {
      status: result.status,
      httpStatus: result.httpStatus,
      errorCode: result.error?.code ?? null,
      finalUrl: result.finalUrl,
      title: result.title,
      text: result.text,
      artifacts: result.artifacts,
    };
    return this.compare(current, previous);
  }

  /** What the events of a final version say: its stored change and, if it left the link dead, since when. */
  async outcome(snapshotId: string): Promise<ChangeOutcome | null> {
    const row = await this.repository.outcomeOf(snapshotId);
    if (!row) return null;
    return { ...row, deadAt: row.change?.status === 'gone' ? row.deadAt : null };
  }

  private async compare(row: Compared, previous: Compared | null): Promise<VersionChange | null> {
    const status = statusChange(row, previous);
    if (status === null) return null;
    if (status === 'gone' || !previous) return { text: null, visual: null, status };
    return {
      text: textChange(row.text, previous.text),
      visual: await this.visualRatio(previous, row),
      status,
    };
  }

  /**
   * Null when a screenshot is missing, unreadable or undecodable: the result is still written
   * (a change without its visual part beats a result stuck behind storage).
   */
  private async visualRatio(before: Compared, after: Compared): Promise<number | null> {
    try {
      const images = await this.screenshots(before, after);
      if (!images) return null;
      const ratio = compareImages(images[0], images[1]).changedRatio;
      return Math.round(ratio * 1e6) / 1e6;
    } catch {
      return null;
    }
  }

  private async screenshots(before: Compared, after: Compared) {
    const keys = [screenshotKey(before), screenshotKey(after)];
    if (keys[0] === null || keys[1] === null) return null;
    const [a, b] = await Promise.all(keys.map((k) => this.storage.getBuffer(k as string)));
    return [await decodeImage(a as Buffer), await decodeImage(b as Buffer)] as const;
  }

  /** Two versions of one link, both the user's; anything else is NOT_FOUND. `against` is the older side. */
  private async pair(userId: string, id: string, againstId: string): Promise<[ComparableRow, ComparableRow]> {
    const [to, from] = await Promise.all(
      [id, againstId].map((v) => (isUuid(v) ? this.repository.find(v) : Promise.resolve(null))),
    );
    if (!to || !from || to.userId !== userId || from.userId !== userId || to.linkId !== from.linkId) {
      throw new AppError('NOT_FOUND', 'The snapshot does not exist, or is not a version of the same link.');
    }
    return [from, to];
  }

  async diff(userId: string, id: string, againstId: string): Promise<DiffView> {
    const [from, to] = await this.pair(userId, id, againstId);
    const images = await this.screenshots(from, to);
    const visual = images ? compareImages(images[0], images[1]) : null;
    return {
      from: from.id,
      to: to.id,
      text: diffText(from.text, to.text),
      visual: visual && {
        changedRatio: visual.changedRatio,
        boxes: visual.boxes,
        width: visual.width,
        height: visual.height,
      },
      imageUrl: visual ? `/v1/snapshots/${to.id}/diff.png?against=${from.id}` : null,
    };
  }

  /** The newer screenshot faded, changed pixels red, changed regions outlined. */
  async diffImage(userId: string, id: string, againstId: string): Promise<Buffer> {
    const [from, to] = await this.pair(userId, id, againstId);
    const images = await this.screenshots(from, to);
    if (!images) throw new AppError('NOT_FOUND', 'One of the versions has no screenshot.');
    return encodePng(highlightImage(compareImages(images[0], images[1])));
  }
}
