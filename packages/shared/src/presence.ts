/**
 * Which snapshotters run, and how: each keeps its status in one Redis hash under the queue
 * prefix (one field per worker, rewritten every PRESENCE_INTERVAL_MS, removed on a clean stop).
 * The API's /readyz lists them, so an operator sees a worker that captures without its ad
 * lists, or that no worker runs at all. A field older than PRESENCE_TTL_MS belongs to a worker
 * that was killed or cut off from Redis; readers drop it.
 */
import { z } from 'zod';
import { parseJsonAs } from './jobs.js';

export const PRESENCE_INTERVAL_MS = 15_000;
/** Three missed rewrites. */
export const PRESENCE_TTL_MS = 45_000;

export const snapshotterStatusSchema = z.object({
  /** `host:pid`, as BullMQ records it on each job (`processedBy`). */
  id: z.string(),
  startedAt: z.iso.datetime(),
  seenAt: z.iso.datetime(),
  /** `off`: ADBLOCK=false; `unavailable`: the filter lists could not be loaded. */
  adblock: z.enum(['on', 'off', 'unavailable']),
  adblockFilters: z.number().int().nonnegative(),
  /** Pages it captures at once now, and at most. */
  concurrency: z.number().int().nonnegative(),
  maxConcurrency: z.number().int().nonnegative(),
});
export type SnapshotterStatus = z.infer<typeof snapshotterStatusSchema>;

export function presenceKey(queuePrefix: string): string {
  return `${queuePrefix}:snapshotters`;
}

/** The part of an ioredis client presence needs. */
export interface PresenceClient {
  hset(key: string, field: string, value: string): Promise<unknown>;
  hdel(key: string, ...fields: string[]): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
}

/** The live snapshotters, by id; removes the fields of those gone quiet (and unreadable ones). */
export async function readPresence(
  client: PresenceClient,
  queuePrefix: string,
  now = Date.now(),
): Promise<SnapshotterStatus[]> {
  const key = presenceKey(queuePrefix);
  const live: SnapshotterStatus[] = [];
  const gone: string[] = [];
  for (const [field, value] of Object.entries(await client.hgetall(key))) {
    const status = parseJsonAs(snapshotterStatusSchema, value);
    if (status && now - Date.parse(status.seenAt) <= PRESENCE_TTL_MS) live.push(status);
    else gone.push(field);
  }
  if (gone.length > 0) await client.hdel(key, ...gone);
  return live.sort((a, b) => a.id.localeCompare(b.id));
}

export interface Presence {
  /** Writes the status now (after a change worth showing at once). */
  publish(): Promise<void>;
  /** Stops the rewrites and removes the field (best effort: Redis may be gone). */
  stop(): Promise<void>;
}

/**
 * Publishes `status()` now and every `intervalMs`. A failed write (Redis down) is reported to
 * `onError` and retried at the next tick; it never throws.
 */
export function startPresence(
  client: PresenceClient,
  queuePrefix: string,
  status: () => Omit<SnapshotterStatus, 'seenAt'>,
  options: { intervalMs?: number; onError?: (err: unknown) => void } = {},
): Presence {
  const key = presenceKey(queuePrefix);
  let stopped = false;
  const publish = async () => {
    if (stopped) return;
    const current = status();
    try {
      await client.hset(key, current.id, JSON.stringify({ ...current, seenAt: new Date().toISOString() }));
    } catch (err) {
      options.onError?.(err);
    }
  };
  // The last write, awaited by stop(): a write landing after the removal would outlive the worker.
  let pending = publish();
  const timer = setInterval(() => {
    pending = publish();
  }, options.intervalMs ?? PRESENCE_INTERVAL_MS);
  timer.unref();
  return {
    publish: () => {
      pending = publish();
      return pending;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await pending;
      await client.hdel(key, status().id).catch((err: unknown) => options.onError?.(err));
    },
  };
}
