/**
 * The blob sweeper (ADR 0017): removes content-addressed bodies that no version references.
 * Deleting a version only drops its `blob_refs` rows (with the row, in one transaction), so a
 * body is never removed while referenced; the bodies left without a reference, and those a
 * failed or stale capture uploaded and never reported, are removed here once their object was
 * last written at least BLOB_GRACE_MS ago. Every capture re-writes the bodies it stores, so a
 * capture in flight (its result not yet written) always holds a fresh object and is never swept
 * under. One API process sweeps at a time: a PostgreSQL advisory lock, tried, not waited for
 * (a pass that finds it taken stops; the next one goes on).
 */
import {
  BLOB_PREFIX,
  blobHashOf,
  type Config,
  type ListedObject,
  type Logger,
  type ObjectStorage,
} from '@linksnap/shared';
import { sql } from 'drizzle-orm';
import { BlobsRepository } from '../db/blobs.repository.js';
import type { Db } from '../db/database.js';
import { rowsOf } from '../db/links.repository.js';

export interface SweepReport {
  /** Bodies examined (old enough to be removed if unreferenced). */
  checked: number;
  removed: number;
  bytesFreed: number;
  /** False when another process held the sweep lock. */
  ran: boolean;
}

export interface BlobSweeper {
  /** One pass; tests call it directly. `graceMs` overrides BLOB_GRACE_MS for this pass. */
  runOnce(graceMs?: number): Promise<SweepReport>;
  close(): Promise<void>;
}

export interface BlobSweeperOptions {
  config: Pick<Config, 'BLOB_SWEEP_INTERVAL_MS' | 'BLOB_GRACE_MS'>;
  db: Db;
  storage: ObjectStorage;
  logger?: Logger;
  /** Start the periodic timer (default true). */
  schedule?: boolean;
}

/** Names the advisory lock: one sweep at a time across every API process sharing the database. */
const SWEEP_LOCK = 0x6c736e17;
const BATCH = 500;

export function startBlobSweeper(options: BlobSweeperOptions): BlobSweeper {
  const { config, db, storage, logger } = options;

  /**
   * Forgets the unreferenced bodies of one batch under the sweep lock (held by the transaction
   * only while PostgreSQL is asked, never across object storage calls); null when another
   * process holds it.
   */
  const forget = (hashes: string[]) =>
    db.transaction(async (tx) => {
      const rows = rowsOf<{ locked: boolean }>(
        await tx.execute(sql`select pg_try_advisory_xact_lock(${SWEEP_LOCK}) as locked`),
      );
      if (rows[0]?.locked !== true) return null;
      return new BlobsRepository(tx).forgetUnreferenced(hashes);
    });

  const runOnce = async (graceMs = config.BLOB_GRACE_MS): Promise<SweepReport> => {
    const cutoff = Date.now() - graceMs;
    const old = (await storage.listDetailed(BLOB_PREFIX)).filter((o) => o.lastModified.getTime() <= cutoff);
    const report: SweepReport = { checked: old.length, removed: 0, bytesFreed: 0, ran: true };
    for (let i = 0; i < old.length; i += BATCH) {
      const byHash = new Map<string, ListedObject>();
      for (const o of old.slice(i, i + BATCH)) {
        const hash = blobHashOf(o.key);
        if (hash) byHash.set(hash, o);
      }
      const unreferenced = await forget([...byHash.keys()]);
      if (unreferenced === null) return { ...report, ran: false };
      for (const hash of unreferenced) {
        const object = byHash.get(hash) as ListedObject;
        await storage.remove(object.key);
        report.removed++;
        report.bytesFreed += object.bytes;
      }
    }
    if (report.removed > 0) logger?.info(report, 'unreferenced artifact bodies removed');
    return report;
  };

  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  if (options.schedule !== false && config.BLOB_SWEEP_INTERVAL_MS > 0) {
    timer = setInterval(() => {
      running = runOnce().catch((err) => logger?.warn({ err }, 'blob sweep failed'));
    }, config.BLOB_SWEEP_INTERVAL_MS);
    timer.unref();
  }
  return {
    runOnce,
    close: async () => {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
