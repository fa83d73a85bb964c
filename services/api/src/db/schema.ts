/**
 * The relational model (drizzle pg-core). Migrations under services/api/drizzle are generated
 * from this file with drizzle-kit; never edit them by hand.
 */

import type { ArchiveBase, Artifact, SnapshotSource, SnapshotState, StoredError } from '@linksnap/shared';
import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { VersionChange } from '../domain/change.js';

/** tsvector has no drizzle builder; the search indexer writes it with to_tsvector over Node-segmented text. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** May open the queue dashboard. The first account of an instance is one (or ADMIN_EMAILS). */
    isAdmin: boolean('is_admin').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_lower_idx').on(lower(t.email))],
);

/** Per-user webhook: POSTed a signed JSON body when one of the user's snapshots finishes. */
export const webhooks = pgTable(
  'webhooks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: jsonb('events').$type<string[]>().notNull(),
    /** HMAC key; kept (it signs every delivery), shown to the user once. */
    secret: text('secret').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('webhooks_user_idx').on(t.userId)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_key_hash_idx').on(t.keyHash), index('api_keys_user_idx').on(t.userId)],
);

export const links = pgTable(
  'links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    normalizedUrl: text('normalized_url').notNull(),
    title: text('title'),
    description: text('description'),
    latestSnapshotId: uuid('latest_snapshot_id').references((): AnyPgColumn => snapshots.id, { onDelete: 'set null' }),
    /**
     * The newest good version (isGoodCapture): what the link shows, searches and thumbnails, so a
     * newer failed or error capture never hides the copy the user still has.
     */
    latestGoodSnapshotId: uuid('latest_good_snapshot_id').references((): AnyPgColumn => snapshots.id, {
      onDelete: 'set null',
    }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Re-capture schedule of this link alone (`daily`, `weekly`, `monthly` or cron); wins over its tags'. */
    schedule: text('schedule'),
    /** When the page was first seen gone (DNS failure, error page after a good one, soft 404); cleared by a good capture. */
    deadAt: timestamp('dead_at', { withTimezone: true }),
    /**
     * Search document of the link: title (A), description and tags (B), the readable text of
     * every version (C), segmented in Node (CJK words, traditional folded to simplified).
     */
    searchVector: tsvector('search_vector'),
    /**
     * The A and B parts alone (title, description, tags, URL): small enough to stay inline, so
     * title hits anywhere in a large library can join the ranking window cheaply.
     */
    searchHead: tsvector('search_head'),
    /** Set by triggers when anything in the document changes; the search indexer clears it. */
    searchStale: boolean('search_stale').notNull().default(true),
    /**
     * The link's tag ids, kept equal to its link_tags rows by triggers (migration 0010) in the
     * same transaction, unlike the document. It sits in both search GIN indexes, so `q` with a
     * tag is one index condition: the GIN scan intersects the words' and the tag's postings
     * instead of walking the word's matches and probing link_tags for each.
     */
    tagIds: uuid('tag_ids').array().notNull().default(sql`'{}'::uuid[]`),
  },
  (t) => [
    uniqueIndex('links_user_normalized_url_idx').on(t.userId, t.normalizedUrl),
    // btree_gin lets one GIN index answer "this user's links matching the query".
    index('links_user_search_idx').using('gin', t.userId, t.searchVector, t.tagIds),
    index('links_user_search_head_idx').using('gin', t.userId, t.searchHead, t.tagIds),
    // pg_trgm: substring search in URLs and titles (`site:`, partial words).
    index('links_user_trgm_idx').using('gin', t.userId, sql`${t.url} gin_trgm_ops`, sql`${t.title} gin_trgm_ops`),
    index('links_search_stale_idx').on(t.id).where(sql`${t.searchStale}`),
    index('links_user_created_idx').on(t.userId, t.createdAt),
    // Deleting a snapshot sets this column to null where it points at it: without an index,
    // PostgreSQL scans every link once per deleted snapshot.
    index('links_latest_snapshot_idx').on(t.latestSnapshotId),
    index('links_latest_good_snapshot_idx').on(t.latestGoodSnapshotId),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Re-capture schedule for every link of the tag that has none of its own. */
    schedule: text('schedule'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('tags_user_name_lower_idx').on(t.userId, lower(t.name))],
);

export const linkTags = pgTable(
  'link_tags',
  {
    linkId: uuid('link_id')
      .notNull()
      .references(() => links.id, { onDelete: 'cascade' }),
    tagId: uuid('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.tagId] }), index('link_tags_tag_idx').on(t.tagId)],
);

export const snapshots = pgTable(
  'snapshots',
  {
    /** Also the BullMQ job id of the capture and of its result message. */
    id: uuid('id').primaryKey(),
    linkId: uuid('link_id')
      .notNull()
      .references((): AnyPgColumn => links.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status').$type<SnapshotState>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    error: jsonb('error').$type<StoredError | null>(),
    errorCode: text('error_code'),
    httpStatus: integer('http_status'),
    finalUrl: text('final_url'),
    contentType: text('content_type'),
    title: text('title'),
    lang: text('lang'),
    text: text('text'),
    timings: jsonb('timings').$type<Record<string, number>>(),
    artifacts: jsonb('artifacts').$type<Artifact[]>().notNull().default([]),
    /** Earlier versions' WACZ bodies this version's WACZ refers to with revisits (ADR 0017). */
    archiveBases: jsonb('archive_bases').$type<ArchiveBase[]>().notNull().default([]),
    missing: jsonb('missing').$type<{ kind: string; code: string; detail: string }[]>().notNull().default([]),
    /** Compared with the link's previous good version, once the result is final (null: nothing to compare). */
    change: jsonb('change').$type<VersionChange | null>(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** `upload`: the page came from the user's browser (SingleFile HTML), not from the live web. */
    source: text('source').$type<SnapshotSource>().notNull().default('capture'),
  },
  (t) => [index('snapshots_link_requested_idx').on(t.linkId, t.requestedAt), index('snapshots_user_idx').on(t.userId)],
);

/**
 * A content-addressed body in object storage (key `blobs/sha256/{sha256}`, ADR 0017), stored
 * once however many versions hold it. Its reference count is `blob_refs`, never a counter.
 */
export const blobs = pgTable('blobs', {
  sha256: text('sha256').primaryKey(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  createdAt: createdAt(),
});

/**
 * Which version holds which body: one row per (snapshot, body), gone with its snapshot. The
 * sweeper removes a body only when no row names it, so a body is never deleted while referenced.
 */
export const blobRefs = pgTable(
  'blob_refs',
  {
    snapshotId: uuid('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    sha256: text('sha256')
      .notNull()
      .references(() => blobs.sha256),
  },
  (t) => [primaryKey({ columns: [t.snapshotId, t.sha256] }), index('blob_refs_sha256_idx').on(t.sha256)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    response: jsonb('response'),
    status: integer('status'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

export function lower(column: AnyPgColumn): SQL {
  return sql`lower(${column})`;
}

export type UserRow = typeof users.$inferSelect;
export type WebhookRow = typeof webhooks.$inferSelect;
/** A link without its search columns (the document is large, and only the search query reads them). */
export type LinkRow = Omit<typeof links.$inferSelect, 'searchVector' | 'searchHead' | 'searchStale' | 'tagIds'>;
const { searchVector: _v, searchHead: _h, searchStale: _s, tagIds: _t, ...linkColumnSet } = getTableColumns(links);
/** `select(linkColumns)` reads a LinkRow. */
export const linkColumns = linkColumnSet;
export type TagRow = typeof tags.$inferSelect;
export type SnapshotRow = typeof snapshots.$inferSelect;

/**
 * A version whose text the link may show and be found by: not an error page (4xx/5xx), which
 * the archive keeps but is not the page the user saved (isGoodCapture in shared).
 */
export const goodVersion = sql`coalesce(${snapshots.httpStatus}, 0) < 400`;
