/**
 * Job status: from PostgreSQL once the snapshot is final (forever), from the queue while it
 * is queued or running.
 */
import {
  AppError,
  isErrorCapture,
  isFinalState,
  type JobProgress,
  progressSchema,
  type SnapshotSource,
  type StoredError,
} from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import { type SnapshotMeta, unfinishedSnapshot } from '../db/snapshots.repository.js';
import type { SnapshotsService, SnapshotView } from './snapshots.service.js';
import { toSnapshotView } from './snapshots.service.js';

/** What the queue knows of a capture job; implemented over BullMQ in queue/. */
export interface QueueJobState {
  /** Completed and failed alike are "finished": their outcome is PostgreSQL's to tell. */
  state: 'queued' | 'active' | 'finished';
  progress: unknown;
  attemptsMade: number;
  /** The job's payload: whose capture of which link, requested when (absent when unreadable). */
  payload?: { userId: string; linkId: string; requestedAt: Date; source?: SnapshotSource };
  /** PostgreSQL has the last word on the snapshot: it is (becoming) final, or was deleted. */
  settled: boolean;
}

export interface JobStateSource {
  /** One round trip; null when the queue holds no such job. */
  getJobState(id: string): Promise<QueueJobState | null>;
}

export interface JobView {
  id: string;
  state: string;
  progress: JobProgress;
  attempts: number;
  error: StoredError | null;
  /** The capture is an error page (4xx/5xx main document): see SnapshotView.errorCapture. */
  errorCapture: boolean;
  snapshot: SnapshotView | null;
  createdAt: string;
  finishedAt: string | null;
}

export class JobsService {
  constructor(
    private readonly snapshots: SnapshotsService,
    private readonly queue: JobStateSource,
  ) {}

  async get(userId: string, id: string): Promise<JobView> {
    if (!isUuid(id)) throw new AppError('NOT_FOUND', 'The snapshot does not exist.');
    // Polling a queued or running capture is answered from the queue alone: its job names the
    // owner, and an unfinished snapshot's row holds nothing the job does not. Anything else —
    // no job, a finished or settled one, another user's, Redis unreachable — asks PostgreSQL.
    let job: QueueJobState | null = null;
    let queueError: unknown;
    try {
      job = await this.queue.getJobState(id);
    } catch (err) {
      queueError = err;
    }
    if (job?.payload?.userId === userId && !job.settled && (job.state === 'queued' || job.state === 'active')) {
      const { linkId, requestedAt, source } = job.payload;
      return fromQueue(unfinishedSnapshot({ id, linkId, userId, requestedAt, source }), job);
    }
    const row = await this.snapshots.findOwned(userId, id);
    // Finished jobs stay readable while Redis is down; unfinished ones need the queue.
    if (isFinalState(row.status)) return fromRow(row);
    if (queueError !== undefined) throw queueError;
    return job ? fromQueue(row, job) : fromRow(row);
  }
}

/** An unfinished snapshot with the queue's live state. */
function fromQueue(row: SnapshotMeta, job: QueueJobState): JobView {
  // A job nobody has started reports BullMQ's default progress, 0: not worth a failed parse.
  const parsed = typeof job.progress === 'object' ? progressSchema.safeParse(job.progress) : null;
  // A finished job whose result message is not consumed yet is still "active" for the user.
  const state = job.state === 'queued' ? 'queued' : 'active';
  return {
    id: row.id,
    state,
    progress: parsed?.success ? parsed.data : { stage: 'queued', percent: 0 },
    attempts: job.attemptsMade + (job.state === 'active' ? 1 : 0),
    error: null,
    errorCapture: false,
    snapshot: toSnapshotView(row),
    createdAt: row.requestedAt.toISOString(),
    finishedAt: null,
  };
}

function fromRow(row: SnapshotMeta): JobView {
  const final = isFinalState(row.status);
  return {
    id: row.id,
    state: row.status,
    progress: final ? { stage: 'done', percent: 100 } : { stage: 'queued', percent: 0 },
    attempts: row.attempts,
    error: row.error ?? null,
    errorCapture: isErrorCapture(row.httpStatus),
    snapshot: toSnapshotView(row),
    createdAt: row.requestedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
