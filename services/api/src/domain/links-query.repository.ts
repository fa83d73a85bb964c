/**
 * Read queries for link listing and search: keyset pagination on (created_at, id), or on
 * (rank, created_at, id) when searching. Search combines a 'simple' tsvector (Latin words)
 * with substring matching on the lowercased text (CJK, partial words), so it needs no
 * extension and runs the same on PostgreSQL and PGlite. Text, words and thumbnail come from the
 * link's latest good version (`good`); its state from the latest attempt (`snapshots`).
 */
import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/database.js';
import { links, linkTags, snapshots, tags } from '../db/schema.js';

export interface ListFilter {
  userId: string;
  tags: string[];
  match: 'all' | 'any';
  status?: string;
  q?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** Position after which to continue: [rank?, createdAt text, id]. */
  after?: { rank?: string; createdAt: string; id: string };
}

/** The latest good version: a newer failed or error capture never hides its text. */
const good = alias(snapshots, 'good');

const doc = sql`(coalesce(${links.title}, '') || ' ' || ${links.url} || ' ' || coalesce(${links.description}, '') || ' ' || coalesce(${good.text}, ''))`;

/** The stored words of the snapshot text plus the (short, editable) link fields. */
const vector = sql`(coalesce(${good.searchVector}, ''::tsvector) || to_tsvector('simple', coalesce(${links.title}, '') || ' ' || ${links.url} || ' ' || coalesce(${links.description}, '')))`;

function rankOf(q: string): SQL<string> {
  const lq = sql`lower(${q})`;
  return sql<string>`round((ts_rank(${vector}, plainto_tsquery('simple', ${q}))
    + case when strpos(lower(coalesce(${links.title}, '')), ${lq}) > 0 then 1 else 0 end
    + case when strpos(lower(${doc}), ${lq}) > 0 then 0.5 else 0 end)::numeric, 6)`;
}

function matches(q: string): SQL {
  return sql`(strpos(lower(${doc}), lower(${q})) > 0 or ${vector} @@ plainto_tsquery('simple', ${q}))`;
}

/** A window of the text around the first substring hit, else ts_headline's fragment. */
function highlightOf(q: string): SQL<string> {
  const pos = sql`strpos(lower(${doc}), lower(${q}))`;
  return sql<string>`case when ${pos} > 0 then substr(${doc}, greatest(${pos} - 40, 1), 160)
    else ts_headline('simple', ${doc}, plainto_tsquery('simple', ${q}), 'MaxWords=25, MinWords=10') end`;
}

function tagFilter(names: string[], match: 'all' | 'any'): SQL | undefined {
  if (names.length === 0) return undefined;
  const has = (cond: SQL) =>
    sql`exists (select 1 from ${linkTags} join ${tags} on ${tags.id} = ${linkTags.tagId} where ${linkTags.linkId} = ${links.id} and ${cond})`;
  const lowered = names.map((n) => n.toLowerCase());
  if (match === 'any') return has(inArray(sql`lower(${tags.name})`, lowered));
  return and(...lowered.map((n) => has(sql`lower(${tags.name}) = ${n}`)));
}

export class LinksQueryRepository {
  constructor(private readonly db: Db) {}

  async list(filter: ListFilter) {
    const { q, after } = filter;
    const rank = q ? rankOf(q) : sql<string>`null`;
    const conditions: (SQL | undefined)[] = [
      eq(links.userId, filter.userId),
      tagFilter(filter.tags, filter.match),
      filter.status ? eq(snapshots.status, filter.status as 'queued') : undefined,
      filter.from ? sql`${links.createdAt} >= ${filter.from.toISOString()}::timestamptz` : undefined,
      filter.to ? sql`${links.createdAt} <= ${filter.to.toISOString()}::timestamptz` : undefined,
      q ? matches(q) : undefined,
    ];
    if (after) {
      const key = sql`(${links.createdAt}, ${links.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`;
      conditions.push(
        q && after.rank !== undefined
          ? sql`(${rank} < ${after.rank}::numeric or (${rank} = ${after.rank}::numeric and ${key}))`
          : key,
      );
    }
    const order = q ? [desc(rank), desc(links.createdAt), desc(links.id)] : [desc(links.createdAt), desc(links.id)];
    return this.db
      .select({
        link: links,
        createdText: sql<string>`${links.createdAt}::text`,
        rank,
        highlight: q ? highlightOf(q) : sql<string | null>`null`,
        snapshot: {
          id: snapshots.id,
          status: snapshots.status,
          title: snapshots.title,
          finishedAt: snapshots.finishedAt,
          httpStatus: snapshots.httpStatus,
        },
        good: { id: good.id, title: good.title, finishedAt: good.finishedAt, artifacts: good.artifacts },
      })
      .from(links)
      .leftJoin(snapshots, eq(snapshots.id, links.latestSnapshotId))
      .leftJoin(good, eq(good.id, links.latestGoodSnapshotId))
      .where(and(...conditions))
      .orderBy(...order)
      .limit(filter.limit + 1);
  }

  async tagsOf(linkIds: string[]): Promise<{ linkId: string; id: string; name: string }[]> {
    if (linkIds.length === 0) return [];
    return this.db
      .select({ linkId: linkTags.linkId, id: tags.id, name: tags.name })
      .from(linkTags)
      .innerJoin(tags, eq(tags.id, linkTags.tagId))
      .where(inArray(linkTags.linkId, linkIds))
      .orderBy(tags.name);
  }
}
