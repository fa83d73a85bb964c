/**
 * Seeds the search benchmark's library straight into the database, with the search document
 * computed the way the indexer computes it: to_tsvector over pre-segmented text, weights A/B/C.
 * The corpus knows its own word boundaries, so it passes them instead of running jieba over a
 * gigabyte. On PostgreSQL the rows go in by COPY (links through a temporary table, where
 * to_tsvector runs while Node generates the next chunk); PGlite takes a thousand links per
 * statement (json_to_recordset of one parameter). Triggers and foreign-key checks are off
 * (session_replication_role), and the GIN indexes are built once at the end, as a restore would.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Sql } from 'postgres';
import type { Db } from '../../services/api/src/db/database.js';
import { rowsOf } from '../../services/api/src/db/links.repository.js';
import { copyRows } from './pg-copy.js';
import type { Corpus } from './search-corpus.js';

const BATCH = 1000;
/** Links per COPY round on PostgreSQL. */
const CHUNK = 5000;
const SITES = Array.from({ length: 300 }, (_, i) => `site${i}.example${i % 7 === 0 ? '.cn' : '.com'}`);

interface Owner {
  userId: string;
  tagIds: string[];
}

export async function createOwners(db: Db, count: number, tagNames: string[]): Promise<Owner[]> {
  const owners: Owner[] = [];
  for (let i = 0; i < count; i++) {
    const userId = randomUUID();
    await db.execute(
      sql`insert into users (id, email, password_hash) values (${userId}::uuid, ${`bench-${userId}@search.invalid`}, 'x')`,
    );
    owners.push({ userId, tagIds: await createTags(db, userId, tagNames) });
  }
  return owners;
}

export async function createTags(db: Db, userId: string, names: string[]): Promise<string[]> {
  const ids = names.map(() => randomUUID());
  const rows = JSON.stringify(names.map((name, i) => ({ id: ids[i], user_id: userId, name })));
  await db.execute(
    sql`insert into tags (id, user_id, name) select id, user_id, name from json_to_recordset(${rows}::json) as x(id uuid, user_id uuid, name text)`,
  );
  return ids;
}

function rowsFor(corpus: Corpus, owner: Owner, count: number, newest: number, tagNames: string[]) {
  const links = [];
  const snapshots = [];
  const linkTags = [];
  for (let i = 0; i < count; i++) {
    const page = corpus.page();
    const older = i % 5 === 0 ? corpus.page() : null;
    const id = randomUUID();
    const snapId = randomUUID();
    const createdAt = new Date(newest - (count - i) * 60_000 - Math.floor(Math.random() * 1000)).toISOString();
    // 64 bits of the id: with 32 (8 hex digits), 300 sites and 100k links per user, two of a
    // user's links shared a URL about once in 25 seeds and the unique index stopped the COPY.
    const url = `https://${SITES[i % SITES.length]}/${id.replaceAll('-', '').slice(0, 16)}`;
    const tags = [owner.tagIds[i % owner.tagIds.length], owner.tagIds[(i * 7 + 3) % owner.tagIds.length]];
    const tagText = [...new Set(tags)].map((t) => tagNames[owner.tagIds.indexOf(t as string)]).join(' ');
    links.push({
      id,
      user_id: owner.userId,
      url,
      title: page.title,
      description: page.description,
      snap_id: snapId,
      created_at: createdAt,
      // What migration 0010's link_tags trigger keeps (the triggers are off while seeding).
      tag_ids: [...new Set(tags)],
      cfg: page.lang === 'en' ? 'english' : 'simple',
      a: page.titleSegmented,
      b: `${page.description ?? ''} ${tagText} ${url}`,
      c: older ? `${page.segmented} ${older.segmented}` : page.segmented,
    });
    snapshots.push({
      id: snapId,
      link_id: id,
      user_id: owner.userId,
      title: page.title,
      lang: page.lang,
      text: page.text,
      at: createdAt,
    });
    if (older)
      snapshots.push({
        id: randomUUID(),
        link_id: id,
        user_id: owner.userId,
        title: older.title,
        lang: older.lang,
        text: older.text,
        at: new Date(Date.parse(createdAt) - 86_400_000).toISOString(),
      });
    for (const tagId of new Set(tags)) linkTags.push({ link_id: id, tag_id: tagId });
  }
  return { links, snapshots, linkTags };
}

async function insertBatch(db: Db, rows: ReturnType<typeof rowsFor>): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`insert into links (id, user_id, url, normalized_url, title, description, latest_snapshot_id, created_at, updated_at, search_stale, search_head, search_vector, tag_ids)
      select id, user_id, url, url, title, description, snap_id, created_at, created_at, false, head, head || setweight(to_tsvector(cfg::regconfig, c), 'C'), tag_ids
      from json_to_recordset(${JSON.stringify(rows.links)}::json)
        as x(id uuid, user_id uuid, url text, title text, description text, snap_id uuid, created_at timestamptz, cfg text, a text, b text, c text, tag_ids uuid[]),
        lateral (select setweight(to_tsvector(cfg::regconfig, a), 'A') || setweight(to_tsvector(cfg::regconfig, b), 'B') as head) h`);
    await tx.execute(sql`insert into snapshots (id, link_id, user_id, status, title, lang, text, requested_at, finished_at)
      select id, link_id, user_id, 'succeeded', title, lang, text, at, at
      from json_to_recordset(${JSON.stringify(rows.snapshots)}::json)
        as x(id uuid, link_id uuid, user_id uuid, title text, lang text, text text, at timestamptz)`);
    await tx.execute(sql`insert into link_tags (link_id, tag_id) select link_id, tag_id
      from json_to_recordset(${JSON.stringify(rows.linkTags)}::json) as x(link_id uuid, tag_id uuid)`);
  });
}

const LINK_COLUMNS = [
  'id',
  'user_id',
  'url',
  'title',
  'description',
  'snap_id',
  'created_at',
  'cfg',
  'a',
  'b',
  'c',
  'tag_ids',
];
const SNAPSHOT_COLUMNS = ['id', 'link_id', 'user_id', 'title', 'lang', 'text', 'requested_at', 'finished_at', 'status'];

/** Yields to the event loop twice, so a query just started reaches the socket before Node computes. */
const flush = async () => {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** PostgreSQL: COPY per chunk; each chunk's to_tsvector overlaps the generation of the next. */
async function copyLinks(client: Sql, chunks: Iterable<ReturnType<typeof rowsFor>>): Promise<void> {
  const conn = await client.reserve();
  try {
    await conn`set session_replication_role = replica`;
    await conn`create temp table seed_links (id uuid, user_id uuid, url text, title text, description text, snap_id uuid, created_at timestamptz, cfg regconfig, a text, b text, c text, tag_ids uuid[])`;
    let pending: Promise<Error | null> = Promise.resolve(null);
    for (const rows of chunks) {
      const failed = await pending;
      if (failed) throw failed;
      await conn`truncate seed_links`;
      await copyRows(conn, 'seed_links', LINK_COLUMNS, rows.links);
      await copySnapshots(conn, rows.snapshots);
      await copyRows(conn, 'link_tags', ['link_id', 'tag_id'], rows.linkTags);
      pending =
        conn`insert into links (id, user_id, url, normalized_url, title, description, latest_snapshot_id, created_at, updated_at, search_stale, search_head, search_vector, tag_ids)
        select id, user_id, url, url, title, description, snap_id, created_at, created_at, false, head, head || setweight(to_tsvector(cfg, c), 'C'), tag_ids
        from seed_links, lateral (select setweight(to_tsvector(cfg, a), 'A') || setweight(to_tsvector(cfg, b), 'B') as head) h`
          .execute()
          .then(
            () => null,
            (error: Error) => error,
          );
      await flush();
    }
    const failed = await pending;
    if (failed) throw failed;
  } finally {
    await conn`drop table if exists seed_links`;
    await conn`reset session_replication_role`;
    conn.release();
  }
}

async function copySnapshots(conn: Sql, snapshots: ReturnType<typeof rowsFor>['snapshots']): Promise<void> {
  const rows = snapshots.map((s) => ({ ...s, requested_at: s.at, finished_at: s.at, status: 'succeeded' }));
  await copyRows(conn, 'snapshots', SNAPSHOT_COLUMNS, rows);
}

function* chunksOf(corpus: Corpus, owner: Owner, count: number, tagNames: string[], size: number, now: number) {
  for (let done = 0; done < count; done += size) {
    const n = Math.min(size, count - done);
    yield rowsFor(corpus, owner, n, now - (count - done - n) * 60_000, tagNames);
  }
}

/** Adds `count` links for `owner`, newest a minute apart up to now. */
export async function seedLinks(
  db: Db,
  corpus: Corpus,
  owner: Owner,
  count: number,
  tagNames: string[],
): Promise<void> {
  const now = Date.now();
  const client = (db as unknown as { $client: Sql | { query: unknown } }).$client;
  if ('reserve' in client) return copyLinks(client, chunksOf(corpus, owner, count, tagNames, CHUNK, now));
  for (const rows of chunksOf(corpus, owner, count, tagNames, BATCH, now)) await insertBatch(db, rows);
}

/** Built after seeding (same definitions as migrations 0005_search and 0010_search_tags). */
const SEARCH_INDEXES = ['links_user_search_idx', 'links_user_search_head_idx', 'links_user_trgm_idx'];

/**
 * Seeding into GIN indexes row by row is several times slower than building them once. The
 * indexes are rebuilt from their own definitions (pg_indexes), as the migrations left them.
 */
export async function withoutSearchIndex(db: Db, seed: () => Promise<void>): Promise<void> {
  const definitions = rowsOf<{ indexdef: string }>(
    await db.execute(
      sql`select indexdef from pg_indexes where schemaname = current_schema() and indexname in ${SEARCH_INDEXES}`,
    ),
  );
  if (definitions.length !== SEARCH_INDEXES.length)
    throw new Error(`search indexes missing: ${JSON.stringify(definitions)}`);
  await db.execute(sql.raw(`drop index if exists ${SEARCH_INDEXES.join(', ')}`));
  try {
    await seed();
  } finally {
    // One connection per index: GIN builds are single-threaded, the machine has two cores.
    await Promise.all(
      definitions.map(({ indexdef }) =>
        db.transaction(async (tx) => {
          await tx.execute(sql`set local maintenance_work_mem = '512MB'`);
          await tx.execute(sql.raw(indexdef));
        }),
      ),
    );
    await db.execute(sql`analyze links`);
    await db.execute(sql`analyze snapshots`);
    await db.execute(sql`analyze link_tags`);
  }
}
