/**
 * Read queries for link listing and search: keyset pagination on (created_at, id), or on
 * (rank, created_at, id) when searching. Search is one GIN lookup on
 * (user_id, links.search_vector), a per-link document over every version (see
 * src/search/); `site:` narrows through the pg_trgm index on the URL.
 *
 * Ranking reads each candidate's whole document (kilobytes, often compressed), so only a
 * window is ranked: the RANK_WINDOW (100) newest matches plus the RANK_WINDOW newest title/tag
 * matches (small inline `search_head`). Every other match ranks 0 and follows, newest first.
 * The page is built from the window and, only when the window does not fill it, from the
 * newest of the other matches: no statement ranks, sorts or reads the documents of every
 * match (the old outer query did, and fell back to reading every document of the library).
 * What remains is finding the window itself; see docs/decisions/0014 for its limits.
 *
 * Each item carries its latest attempt (its state is the link's capture state) and its latest
 * good version (what it shows and thumbnails): a newer failed or error capture hides nothing.
 *
 * The small statements around the page (tag ids, the page's versions, tags and texts) run
 * prepared: PostgreSQL parses and plans them once per connection, which was about 40 % of their
 * time on warm pages (0.9 → 0.5 ms for 20 links' tags). Their plans do not depend on the
 * values. An `in (...)` list prepares one statement per length it is seen with (postgres.js
 * renews a connection after 30–60 minutes, which drops them).
 */
import { and, desc, eq, inArray, isNotNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from './database.js';
import { goodVersion, links, linkTags, snapshots, tags } from './schema.js';

export interface ListFilter {
  userId: string;
  tags: string[];
  match: 'all' | 'any';
  status?: string;
  /** A tsquery in PostgreSQL's text form (compiled by src/search/search-query.ts). */
  tsquery?: string;
  /** Hosts from `site:`; a link matches when its URL's host is one of them or below it. */
  sites?: string[];
  from?: Date;
  to?: Date;
  limit: number;
  /** The ids of `tags` (a search needs them: see `withTagIds`). */
  tagIds?: string[];
  /** Position after which to continue: [rank?, createdAt text, id]. */
  after?: { rank?: string; createdAt: string; id: string };
}

/** A row of a page: a link, its rank when searching, and its two versions' ids. */
export type PageRow = Awaited<ReturnType<LinksQueryRepository['listQuery']>>[number];

/** Text of a snapshot kept for snippets: enough for any window a reader needs. */
const SNIPPET_SOURCE_CHARS = 20_000;

/**
 * A small, fixed bonus for newer links: up to 0.1 spread over twenty years from 2020, so it
 * only breaks near-ties, and the same row always has the same rank (cursors carry it).
 */
const recency = sql`greatest(0, least(1, (extract(epoch from ${links.createdAt}) - 1577836800) / 631152000)) * 0.1`;

const RANK_WINDOW = 100;

/**
 * A search with tags first looks at the user's PROBE newest links: when at least PROBE_HITS of
 * them match, matches are common enough that walking the newest WALK links by date finds the
 * window sooner than the GIN index does (see `searchQuery`).
 */
const PROBE = 200;
const PROBE_HITS = 10;
const WALK = 2_000;

/**
 * The rank of a row of the window. Never 0, which is the rank of every other match: a window
 * row of an old import (no recency bonus) still sorts before them, so once the window gives a
 * full page the rest need not be read.
 */
function rankOf(tsquery: string): SQL<string> {
  return sql<string>`greatest(round((ts_rank_cd(${links.searchVector}, ${tsquery}::tsquery) + ${recency})::numeric, 6), 0.000001)`;
}

/** The newest matches (at most RANK_WINDOW) of one column among the links the filters keep. */
function newest(column: SQL, tsquery: string, filters: SQL | undefined): SQL {
  return sql`select ${links.id} from ${links} where ${column} @@ ${tsquery}::tsquery and ${filters}
    order by ${links.createdAt} desc limit ${RANK_WINDOW}`;
}

/**
 * The user's `count` newest links within the date bounds, read by date on (user_id, created_at)
 * and named `links`, so that the search's filters and words apply to them as written. The
 * LIMIT inside keeps the planner from reaching for another index: this is a walk by date.
 */
function newestLinks(filter: ListFilter, count: number): SQL {
  return sql`(select * from ${links} where ${and(eq(links.userId, filter.userId), dateBounds(filter))}
    order by ${links.createdAt} desc limit ${count}) as links`;
}

/** `from` and `to`, on created_at. */
function dateBounds(filter: ListFilter): SQL | undefined {
  return and(
    filter.from ? sql`${links.createdAt} >= ${filter.from.toISOString()}::timestamptz` : undefined,
    filter.to ? sql`${links.createdAt} <= ${filter.to.toISOString()}::timestamptz` : undefined,
  );
}

/**
 * A listing checks each link it walks by the link_tags primary key, the tag names resolved to
 * ids in scalar subqueries (evaluated once, through the unique (user_id, lower(name)) index).
 */
function tagFilter(userId: string, names: string[], match: 'all' | 'any'): SQL | undefined {
  if (names.length === 0) return undefined;
  const lowered = names.map((n) => n.toLowerCase());
  const tagIds = (wanted: SQL) => sql`(select ${tags.id} from ${tags} where ${tags.userId} = ${userId} and ${wanted})`;
  const has = (ids: SQL) =>
    sql`exists (select 1 from ${linkTags} where ${linkTags.linkId} = ${links.id} and ${linkTags.tagId} = any(array${ids}))`;
  if (match === 'any') return has(tagIds(inArray(sql`lower(${tags.name})`, lowered)));
  return and(...lowered.map((n) => has(tagIds(sql`lower(${tags.name}) = ${n}`))));
}

/**
 * A search tests `links.tag_ids`, a column of both search GIN indexes, so words and tags are one
 * index condition: a rare tag with a common word (or the reverse) no longer walks the larger
 * side. The ids are constants (resolved by `withTagIds`), so the planner estimates the tag from
 * the column's element statistics; behind a subquery it guessed, and once chose the head index
 * on the tags alone, then read documents to test the words.
 */
function tagIdsFilter(filter: ListFilter): SQL | undefined {
  if (filter.tags.length === 0) return undefined;
  if (!filter.tagIds) throw new Error('search with tags needs filter.tagIds (LinksQueryRepository.withTagIds)');
  const ids = sql`array[${sql.join(
    filter.tagIds.map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;
  return filter.match === 'any' ? sql`${links.tagIds} && ${ids}` : sql`${links.tagIds} @> ${ids}`;
}

/** The cheap trigram test finds candidates; the pattern then insists on a host boundary. */
function siteFilter(hosts: string[] | undefined): SQL | undefined {
  if (!hosts || hosts.length === 0) return undefined;
  const one = (host: string) => {
    const escaped = host.replace(/\./g, '\\.');
    return sql`(${links.url} ilike ${`%${host}%`} and ${links.url} ~* ${`^[a-z]+://([^/@]*[.@])?${escaped}([:/?#]|$)`})`;
  };
  return sql`(${sql.join(hosts.map(one), sql` or `)})`;
}

export class LinksQueryRepository {
  constructor(private readonly db: Db) {}

  /** The page of links with their latest and latest good snapshots. */
  async list(filter: ListFilter) {
    return this.withVersions(await this.page(filter));
  }

  /** The page of links (up to `limit` + 1 rows: one more says there is a next page). */
  async page(filter: ListFilter): Promise<PageRow[]> {
    const resolved = await this.withTagIds(filter);
    return resolved ? this.listQuery(resolved) : [];
  }

  /** Rows with their latest and latest good snapshots, looked up by primary key. */
  async withVersions(rows: PageRow[]) {
    const ids = [
      ...new Set(rows.flatMap((r) => [r.latestSnapshotId, r.latestGoodSnapshotId]).filter((id) => id !== null)),
    ];
    const versions =
      ids.length === 0
        ? []
        : await this.db
            .select({
              id: snapshots.id,
              status: snapshots.status,
              title: snapshots.title,
              finishedAt: snapshots.finishedAt,
              httpStatus: snapshots.httpStatus,
              artifacts: snapshots.artifacts,
            })
            .from(snapshots)
            .where(inArray(snapshots.id, ids))
            .prepare('links_page_snapshots')
            .execute();
    const byId = new Map(versions.map((s) => [s.id, s]));
    return rows.map(({ latestSnapshotId, latestGoodSnapshotId, ...row }) => ({
      ...row,
      snapshot: latestSnapshotId ? (byId.get(latestSnapshotId) ?? null) : null,
      good: latestGoodSnapshotId ? (byId.get(latestGoodSnapshotId) ?? null) : null,
    }));
  }

  /**
   * A search's filter with its tag names resolved to ids (`tagIds`), or null when the tags can
   * match nothing: a name the user has no tag of under `all`, none of them under `any`. Names
   * compare as lower(name), as the unique index does. A listing needs no ids.
   */
  async withTagIds(filter: ListFilter): Promise<ListFilter | null> {
    if (!filter.tsquery || filter.tags.length === 0) return filter;
    const lowered = [...new Set(filter.tags.map((n) => n.toLowerCase()))];
    const rows = await this.db
      .select({ id: tags.id, key: sql<string>`lower(${tags.name})` })
      .from(tags)
      .where(and(eq(tags.userId, filter.userId), inArray(sql`lower(${tags.name})`, lowered)))
      .prepare('links_search_tag_ids')
      .execute();
    const found = new Set(rows.map((r) => r.key));
    if (rows.length === 0 || (filter.match === 'all' && lowered.some((n) => !found.has(n)))) return null;
    return { ...filter, tagIds: rows.map((r) => r.id) };
  }

  /**
   * The statement itself (the query-plan test EXPLAINs it); a search with tags takes `withTagIds`'
   * filter. Not prepared: its plan depends on the words (a rare word wants the GIN index, a
   * common one the walk by date), and a prepared statement may settle on a generic plan for the
   * connection's life (forced generic at 1M links: max 795 ms against 65; preparing it with
   * custom plans saved 0.3–0.5 ms of its 7–9 ms median).
   */
  listQuery(filter: ListFilter) {
    return filter.tsquery ? this.searchQuery(filter, filter.tsquery) : this.listingQuery(filter);
  }

  /** The links the filters keep (all but the search words): user, tags, site, dates. */
  private linkFilters(filter: ListFilter, tagsBy: 'link_tags' | 'tag_ids'): SQL | undefined {
    return and(
      eq(links.userId, filter.userId),
      tagsBy === 'tag_ids' ? tagIdsFilter(filter) : tagFilter(filter.userId, filter.tags, filter.match),
      siteFilter(filter.sites),
      dateBounds(filter),
    );
  }

  /**
   * Correlated on the primary key rather than a join: the join would be planned for every
   * matching link, the check runs only on the rows read.
   */
  private statusFilter(filter: ListFilter): SQL | undefined {
    if (!filter.status) return undefined;
    return sql`exists (select 1 from ${snapshots} where ${snapshots.id} = ${links.latestSnapshotId} and ${snapshots.status} = ${filter.status})`;
  }

  private selection(rank: SQL<string>) {
    return {
      link: {
        id: links.id,
        url: links.url,
        normalizedUrl: links.normalizedUrl,
        title: links.title,
        description: links.description,
        schedule: links.schedule,
        deadAt: links.deadAt,
        createdAt: links.createdAt,
        updatedAt: links.updatedAt,
      },
      createdText: sql<string>`${links.createdAt}::text`,
      rank,
      latestSnapshotId: links.latestSnapshotId,
      latestGoodSnapshotId: links.latestGoodSnapshotId,
    };
  }

  /** Newest first, on the (user_id, created_at) index. */
  private listingQuery(filter: ListFilter) {
    const { after } = filter;
    return this.db
      .select(this.selection(sql<string>`null`))
      .from(links)
      .where(
        and(
          this.linkFilters(filter, 'link_tags'),
          this.statusFilter(filter),
          after
            ? sql`(${links.createdAt}, ${links.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`
            : undefined,
        ),
      )
      .orderBy(desc(links.createdAt), desc(links.id))
      .limit(filter.limit + 1);
  }

  /**
   * A page of search results in two parts whose cost does not grow with the number of
   * matches. `ranked`: the rank window (see the header), ranked and cut at the cursor.
   * `rest`: every other match at rank 0, newest first — read only when the ranked rows after
   * the cursor do not fill the page, and only when the window was full (otherwise it already
   * holds every match). Both parts stop after a page, so the outer sort sees at most two pages.
   */
  private searchQuery(filter: ListFilter, tsquery: string) {
    const { after } = filter;
    const page = filter.limit + 1;
    const filters = this.linkFilters(filter, 'tag_ids');
    const matches = and(filters, this.statusFilter(filter), sql`${links.searchVector} @@ ${tsquery}::tsquery`);
    const key = (createdAt: SQL, id: SQL) =>
      after ? sql`(${createdAt}, ${id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : sql`true`;
    const afterRank = (rank: SQL) =>
      after?.rank !== undefined
        ? sql`(${rank} < ${after.rank}::numeric or (${rank} = ${after.rank}::numeric and ${key(sql`created_at`, sql`id`)}))`
        : key(sql`created_at`, sql`id`);
    const docWindow = this.db
      .$with('doc_window', { id: sql<string>`id` })
      .as(
        filter.tags.length > 0
          ? this.walkedWindow(filter, tsquery, filters)
          : newest(sql`${links.searchVector}`, tsquery, filters),
      );
    const headWindow = this.db
      .$with('head_window', { id: sql<string>`id` })
      .as(newest(sql`${links.searchHead}`, tsquery, filters));
    const ranked = this.db.$with('ranked', { id: sql<string>`id` }).as(
      sql`select ${links.id} as id, ${links.createdAt} as created_at, ${rankOf(tsquery)} as rank from ${links}
        where ${links.id} in (select id from doc_window union select id from head_window) and ${matches}`,
    );
    const top = sql`select id, created_at, rank from ranked where ${afterRank(sql`rank`)}
      order by rank desc, created_at desc, id desc limit ${page}`;
    const rest = sql`select ${links.id}, ${links.createdAt}, 0::numeric from ${links}
      where ${matches} and ${links.id} not in (select id from ranked) and ${afterRank(sql`0::numeric`)}
        and (select count(*) from doc_window) >= ${RANK_WINDOW}
        and (select count(*) from (${top}) t) < ${page}
      order by ${links.createdAt} desc, ${links.id} desc limit ${page}`;
    const hits = this.db
      .$with('hits', { hitId: sql<string>`hit_id`, hitRank: sql<string>`hit_rank` })
      .as(sql`select id as hit_id, rank as hit_rank from ((${top}) union all (${rest})) h(id, created_at, rank)`);
    return this.db
      .with(docWindow, headWindow, ranked, hits)
      .select(this.selection(sql<string>`hits.hit_rank`))
      .from(links)
      .innerJoin(hits, sql`${links.id} = hits.hit_id`)
      .orderBy(sql`hits.hit_rank desc`, desc(links.createdAt), desc(links.id))
      .limit(page);
  }

  /**
   * The document window of a search with tags, by date when matches are common. The planner
   * cannot tell: a tag id belongs to one user, so among that user's links a tag is as many
   * times more common as the library is smaller than the table, and the planner multiplies it
   * with the user's share as if independent (2,013 expected for user and tag at 1M links in
   * the bench, 20,000 real). It then takes a bitmap of every match and sorts them (0.2–0.6 s
   * for a common word with a common tag), where the newest links hold the window in their
   * first few hundred. So: `probe` counts matches among the user's PROBE newest links (up to
   * PROBE_HITS); when it finds them all, the window is the newest matches among the WALK newest
   * links; the GIN index (as without tags) answers when the probe found fewer, or when the walk
   * did not fill the window, so the window is always the RANK_WINDOW newest matches. Each part
   * runs only when its condition holds (one-time filters on InitPlans).
   */
  private walkedWindow(filter: ListFilter, tsquery: string, filters: SQL | undefined): SQL {
    const words = sql`${links.searchVector} @@ ${tsquery}::tsquery`;
    const probe = sql`select count(*) as hits from (select 1 from ${newestLinks(filter, PROBE)}
      where ${filters} and ${words} limit ${PROBE_HITS}) p`;
    // The filters first: PostgreSQL keeps the written order among equally costed conditions, and
    // the tag test reads an inline array where the words read the (toasted) document.
    const walk = sql`select ${links.id} from ${newestLinks(filter, WALK)} where ${filters} and ${words}
      order by ${links.createdAt} desc limit ${RANK_WINDOW}`;
    return sql`with probe as (${probe}), walk as materialized (${walk})
      select id from walk where (select hits from probe) >= ${PROBE_HITS}
      union
      select id from (${newest(sql`${links.searchVector}`, tsquery, filters)}) g
        where (select hits from probe) < ${PROBE_HITS} or (select count(*) from walk) < ${RANK_WINDOW}`;
  }

  /** Every version with text of these links, newest first: the candidates for `match`. */
  async versionTexts(linkIds: string[]): Promise<{ id: string; linkId: string; text: string | null }[]> {
    if (linkIds.length === 0) return [];
    return this.db
      .select({
        id: snapshots.id,
        linkId: snapshots.linkId,
        text: sql<string | null>`left(${snapshots.text}, ${SNIPPET_SOURCE_CHARS})`,
      })
      .from(snapshots)
      .where(and(inArray(snapshots.linkId, linkIds), isNotNull(snapshots.text), goodVersion))
      .orderBy(desc(snapshots.requestedAt))
      .prepare('links_page_texts')
      .execute();
  }

  async tagsOf(linkIds: string[]): Promise<{ linkId: string; id: string; name: string }[]> {
    if (linkIds.length === 0) return [];
    return this.db
      .select({ linkId: linkTags.linkId, id: tags.id, name: tags.name })
      .from(linkTags)
      .innerJoin(tags, eq(tags.id, linkTags.tagId))
      .where(inArray(linkTags.linkId, linkIds))
      .orderBy(tags.name)
      .prepare('links_page_tags')
      .execute();
  }
}
