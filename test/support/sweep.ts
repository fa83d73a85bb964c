/** Runs one pass of the API's blob sweeper (ADR 0017) against a stack's database and bucket. */
import { openDatabase } from '@linksnap/api/db/database';
import { type SweepReport, startBlobSweeper } from '@linksnap/api/queue/blob-sweeper';
import { parseConfig } from '@linksnap/shared';
import type { Stack } from './stack.js';

export async function sweepBlobs(stack: Stack, graceMs = 0): Promise<SweepReport> {
  const config = parseConfig(stack.env);
  const database = await openDatabase(config);
  try {
    const sweeper = startBlobSweeper({ config, db: database.db, storage: stack.storage, schedule: false });
    return await sweeper.runOnce(graceMs);
  } finally {
    await database.close();
  }
}
