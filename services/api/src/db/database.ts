/**
 * Opens the database: PostgreSQL through `postgres` when DATABASE_URL is set, otherwise an
 * embedded PGlite on disk in DATA_DIR/pglite. Applies the drizzle migrations either way, so
 * every process that opens the database can rely on the current schema.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { Config, Logger } from '@linksnap/shared';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Arbitrary constant shared by every process migrating the same database. */
const MIGRATION_LOCK_ID = 7_240_911_013;

export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  logger?: Logger,
): Promise<Database> {
  if (config.DATABASE_URL !== undefined) return openPostgres(config.DATABASE_URL, logger);
  return openPglite(path.join(config.DATA_DIR, 'pglite'), logger);
}

async function openPostgres(url: string, logger?: Logger): Promise<Database> {
  await migrateWithLock(url);
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: 5,
    // postgres.js makes queued queries wait out its reconnect backoff, which grows to 20 s
    // during an outage: requests would hang instead of answering 503, and recovery would lag.
    backoff: reconnectBackoff,
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  logger?.info({ kind: 'postgres' }, 'database ready');
  return { db, kind: 'postgres', close: () => client.end({ timeout: 5 }) };
}

/** Seconds before reconnecting after the n-th failure in a row: quick, capped at half a second. */
function reconnectBackoff(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 0.5);
}

/** Several processes may start at once: one migrates, the others wait on the advisory lock. */
async function migrateWithLock(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    const db = drizzlePostgres(client);
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      await migratePostgres(db, { migrationsFolder: MIGRATIONS_DIR });
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function openPglite(dir: string, logger?: Logger): Promise<Database> {
  mkdirSync(dir, { recursive: true });
  // The search migration creates these two extensions; PGlite must have them loaded first.
  const client = new PGlite(dir, { extensions: { btree_gin, pg_trgm } });
  const pglite = drizzlePglite(client, { schema });
  await migratePglite(pglite, { migrationsFolder: MIGRATIONS_DIR });
  const db = pglite as unknown as Db;
  await db.execute(sql`select 1`);
  logger?.info({ kind: 'pglite', dir }, 'database ready');
  return { db, kind: 'pglite', close: () => client.close() };
}
