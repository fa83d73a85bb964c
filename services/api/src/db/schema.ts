/**
 * The relational model (drizzle pg-core). Migrations under services/api/drizzle are generated
 * from this file with drizzle-kit; never edit them by hand.
 */

import type { Artifact, SnapshotState, StoredError } from '@linksnap/shared';
import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
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

/** tsvector has no drizzle builder; it is only ever written by PostgreSQL itself. */
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
  },
  (t) => [
    uniqueIndex('links_user_normalized_url_idx').on(t.userId, t.normalizedUrl),
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
    missing: jsonb('missing').$type<{ kind: string; code: string; detail: string }[]>().notNull().default([]),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Search words of the readable text ('simple' config: no stemming, any language). */
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`to_tsvector('simple'::regconfig, coalesce("title", '') || ' ' || coalesce("text", ''))`,
    ),
  },
  (t) => [
    index('snapshots_link_requested_idx').on(t.linkId, t.requestedAt),
    index('snapshots_user_idx').on(t.userId),
    index('snapshots_search_vector_idx').using('gin', t.searchVector),
  ],
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
export type LinkRow = typeof links.$inferSelect;
export type TagRow = typeof tags.$inferSelect;
export type SnapshotRow = typeof snapshots.$inferSelect;
