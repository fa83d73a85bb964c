/**
 * Job status: from PostgreSQL once the snapshot is final (forever), from the queue while it
 * is queued or running.
 */
import { FINAL_STATES, type JobProgress, progressSchema, type StoredError } from '@linksnap/shared';
import { isUuid } from '../db/errors.js';
import type { SnapshotMeta } from './snapshots.repository.js';
import type { SnapshotsService, SnapshotView } from './snapshots.service.js';
import { toSnapshotView } from './snapshots.service.js';

/** What the queue knows of a capture job; implemented over BullMQ in queue/. */
export interface QueueJobState {
  state: 'queued' | 'active' | 'completed' | 'failed' | 'unknown';
  progress: unknown;
  attemptsMade: number;
  failedReason?: string;
}

export interface JobStateSource {
  getJobState(id: string): Promise<QueueJobState | null>;
}

export interface JobView {
  id: string;
  state: string;
  progress: JobProgress;
  attempts: number;
  error: StoredError | null;
  snapshot: SnapshotView | null;
  createdAt: string;
  finishedAt: string | null;
}

const isFinal = (status: string) => (FINAL_STATES as readonly string[]).includes(status);

export class JobsService {
  constructor(
    private readonly snapshots: SnapshotsService,
    private readonly queue: JobStateSource,
  ) {}

  async get(userId: string, id: string): Promise<JobView> {
    // The queue is asked alongside PostgreSQL (one round trip less while a client polls); its
    // answer is only used for the caller's own unfinished job, and ignored (errors included)
    // once the row is final, so finished jobs stay readable while Redis is down.
    const queued = isUuid(id) ? this.queue.getJobState(id) : null;
    queued?.catch(() => {});
    const row = await this.snapshots.findOwned(userId, id);
    if (isFinal(row.status)) return fromRow(row);
    const job = await (queued as Promise<QueueJobState | null>);
    if (!job) return fromRow(row);
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
      snapshot: toSnapshotView(row),
      createdAt: row.requestedAt.toISOString(),
      finishedAt: null,
    };
  }
}

function fromRow(row: SnapshotMeta): JobView {
  const final = isFinal(row.status);
  return {
    id: row.id,
    state: row.status,
    progress: final ? { stage: 'done', percent: 100 } : { stage: 'queued', percent: 0 },
    attempts: row.attempts,
    error: row.error ?? null,
    snapshot: toSnapshotView(row),
    createdAt: row.requestedAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
