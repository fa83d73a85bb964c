/**
 * Reads a capture job's status for GET /v1/jobs/{id} in one Redis round trip (two the first
 * time this process sees the job started), and marks jobs whose snapshot PostgreSQL now has the
 * last word on (final or deleted).
 *
 * A queued or running capture is answered from Redis alone: the job's payload names its owner,
 * link and request time, which with the job's state and progress is the whole view of an
 * unfinished snapshot. That is only safe while PostgreSQL has nothing newer to say, so:
 * - the results consumer (and the reconciler) mark the job *settled* before writing a final row;
 * - deleting a link or snapshot marks its unfinished jobs settled before the rows go; a job not
 *   added yet (a submission in flight) gets a marker-only hash that expires, and BullMQ then
 *   refuses the add as a duplicate id;
 * and the lookup reports the mark, so the caller reads PostgreSQL instead. The mark is a field of
 * the job's own hash, so it lives exactly as long as the job (BullMQ ignores unknown fields).
 */
import { bounded, type Config, readPresence, redisOptions, type SnapshotterStatus } from '@linksnap/shared';
import { Redis } from 'ioredis';

/** How long a deletion's marker waits for a job that is still being added (an add times out after 5 s). */
export const TOMBSTONE_SECONDS = 24 * 3600;

const SETTLED_FIELD = 'linksnapSettled';

/**
 * KEYS: job hash. ARGV: tombstone seconds. Marks an existing job; with ARGV > 0, a missing one
 * too, as a marker-only hash that expires (a plain lookup reads it as "no job").
 */
const SETTLE_LUA = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], '${SETTLED_FIELD}', '1')
elseif tonumber(ARGV[1]) > 0 then
  redis.call('HSET', KEYS[1], '${SETTLED_FIELD}', '1')
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return 1
`;

export interface JobStatus {
  /** BullMQ's state, folded: completed and failed are "finished"; waiting, delayed and prioritized "queued". */
  state: 'queued' | 'active' | 'finished';
  /** The job's payload as stored (JSON). */
  data: string;
  progress: unknown;
  attemptsMade: number;
  /** PostgreSQL has the last word: the snapshot is (becoming) final, or was deleted. */
  settled: boolean;
}

const FIELDS = ['data', 'progress', 'atm', 'attemptsMade', 'finishedOn', 'ats', SETTLED_FIELD] as const;
const [DATA, PROGRESS, ATM, ATTEMPTS_MADE, FINISHED, STARTED, SETTLED] = [0, 1, 2, 3, 4, 5, 6] as const;
/** How many started jobs are remembered (a bounded set of ids). */
const STARTED_MEMORY = 10_000;

function toStatus(fields: (string | null)[], active: boolean): JobStatus | null {
  const data = fields[DATA];
  if (!data) return null;
  const progress = fields[PROGRESS];
  return {
    state: fields[FINISHED] ? 'finished' : active ? 'active' : 'queued',
    data,
    // As BullMQ reads it: a job nobody has started reports 0.
    progress: progress ? JSON.parse(progress) : 0,
    attemptsMade: Number.parseInt(fields[ATM] || fields[ATTEMPTS_MADE] || '0', 10) || 0,
    settled: fields[SETTLED] !== null,
  };
}

interface Scripts {
  linksnapJobSettle(key: string, ttl: string): Promise<number>;
}

export class JobStatusReader {
  private readonly redis: Redis;
  private readonly jobKeyPrefix: string;
  private readonly activeKey: string;
  private readonly failedKey: string;
  /** Ids of jobs seen started and not finished. */
  private readonly started = new Set<string>();

  /** `queueKey`: the queue's qualified name, `<prefix>:<queue>`, under which BullMQ keeps jobs. */
  constructor(config: Pick<Config, 'REDIS_URL'>, queueKey: string, timeoutMs: number) {
    // Its own connection, without BullMQ's client wrapper in between; a command Redis does not
    // answer in time fails (503), as does any command while the connection is down.
    this.redis = new Redis({
      ...redisOptions(config.REDIS_URL as string, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: timeoutMs,
      }),
      commandTimeout: timeoutMs,
    });
    this.redis.on('error', () => {});
    this.redis.defineCommand('linksnapJobSettle', { numberOfKeys: 1, lua: SETTLE_LUA });
    this.jobKeyPrefix = `${queueKey}:`;
    this.activeKey = `${queueKey}:active`;
    this.failedKey = `${queueKey}:failed`;
  }

  /** The running snapshotters (presence.ts), read on this connection. */
  snapshotters(queuePrefix: string): Promise<SnapshotterStatus[]> {
    return readPresence(this.redis, queuePrefix);
  }

  /**
   * Native commands, no Lua (a script costs Redis several times more than the reads it makes).
   * The job's hash tells a finished job (`finishedOn`, set only when BullMQ completes or fails
   * it) and one never started (no `ats`, which BullMQ sets when it first makes the job active):
   * such a job is waiting, delayed or prioritized, and one HMGET answers. A started one may be
   * running or back in line after a failed or stalled attempt: the active list tells, as in
   * BullMQ's own getState (the other lists are not scanned: O(n) in the backlog). Jobs seen
   * started are remembered, so that their next polls send the list read and the hash read
   * together, in one write; the list is read first, so a job that moves on in between is
   * reported in its older state, never in a newer one out of order.
   */
  async lookup(id: string): Promise<JobStatus | null> {
    if (this.redis.status !== 'ready') await this.connected();
    const key = this.jobKeyPrefix + id;
    if (!this.started.has(id)) {
      const fields = await this.redis.hmget(key, ...FIELDS);
      if (fields[STARTED] === null || fields[FINISHED] !== null) return toStatus(fields, false);
      this.remember(id);
    }
    // While Redis reconnects there may be no socket: the commands then fail at once (503).
    const stream = this.redis.stream as typeof this.redis.stream | undefined;
    stream?.cork();
    let replies: Promise<[number | null, (string | null)[]]>;
    try {
      replies = Promise.all([this.redis.lpos(this.activeKey, id), this.redis.hmget(key, ...FIELDS)]);
    } finally {
      stream?.uncork();
    }
    const [position, fields] = await replies;
    if (fields[FINISHED] !== null || fields[DATA] === null) this.started.delete(id);
    return toStatus(fields, position !== null);
  }

  private remember(id: string): void {
    if (this.started.size >= STARTED_MEMORY) {
      // Oldest first (insertion order): a job polled that long ago is likely finished.
      const oldest = this.started.keys().next().value;
      if (oldest !== undefined) this.started.delete(oldest);
    }
    this.started.add(id);
  }

  /** Marks the jobs settled; with `tombstoneSeconds`, also the ids whose job is not added yet. */
  async settle(ids: readonly string[], tombstoneSeconds = 0): Promise<void> {
    if (ids.length === 0) return;
    if (this.redis.status !== 'ready') await this.connected();
    const scripts = this.redis as unknown as Scripts;
    const ttl = String(tombstoneSeconds);
    await Promise.all(ids.map((id) => scripts.linksnapJobSettle(this.jobKeyPrefix + id, ttl)));
  }

  /** Ids of the jobs that ended failed at or after `since` (epoch ms, BullMQ's finish time), oldest first. */
  async failedSince(since: number, limit: number): Promise<string[]> {
    if (this.redis.status !== 'ready') await this.connected();
    return this.redis.zrangebyscore(this.failedKey, since, '+inf', 'LIMIT', 0, limit);
  }

  /** While the first connection is being made, wait for it; a lost connection fails at once. */
  private async connected(): Promise<void> {
    const status = this.redis.status;
    if (status !== 'connecting' && status !== 'connect' && status !== 'wait') return;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.redis.off('ready', done).off('error', done);
        if (err) reject(err);
        else resolve();
      };
      this.redis.once('ready', done).once('error', done);
    });
  }

  async close(): Promise<void> {
    // QUIT waits for Redis; with Redis gone, drop the connection (and its reconnect loop).
    await bounded('job status reader', () => this.redis.quit(), 1_000);
    this.redis.disconnect();
  }
}
