/**
 * Listing and searching a user's links: opaque cursors, filters and the item shape
 * (tags, latest attempt, latest good version and its thumbnail, and when searching the matched
 * version and snippet).
 */
import { AppError, isErrorCapture } from '@linksnap/shared';
import type { Db } from '../db/database.js';
import type { LinksQueryRepository, ListFilter } from '../db/links-query.repository.js';
import { invalidQuery, type ParsedQuery, parseQuery } from '../search/query-parser.js';
import { compileQuery } from '../search/search-query.js';
import { matchOf, needlesOf, type SearchMatch } from '../search/snippet.js';
import { type LinkView, ownSchedule } from './links.service.js';

export interface ListQuery {
  cursor?: string;
  limit: number;
  tag: string[];
  match: 'all' | 'any';
  status?: string;
  q?: string;
  from?: Date;
  to?: Date;
}

/** A link as lists and searches show it: its view with more of its versions and a thumbnail. */
export interface LinkListItem extends Omit<LinkView, 'latestSnapshot'> {
  /** The latest attempt: its state is the link's capture state. */
  latestSnapshot: {
    id: string;
    status: string;
    title: string | null;
    finishedAt: string | null;
    httpStatus: number | null;
    errorCapture: boolean;
  } | null;
  /** The version the link shows, searches and thumbnails (may be older than `latestSnapshot`). */
  lastGoodSnapshot: { id: string; title: string | null; finishedAt: string | null } | null;
  thumbnailUrl: string | null;
  /** Only when searching: the version whose text matched best, and a marked window of it. */
  match?: SearchMatch;
}

interface CursorKey {
  rank?: string;
  createdAt: string;
  id: string;
}

/** PostgreSQL's text form of a timestamptz, kept verbatim for microsecond precision. */
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

const badCursor = () =>
  new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
    errors: [{ pointer: '/cursor', detail: 'is not a cursor returned by this endpoint' }],
  });

export function encodeCursor(key: CursorKey): string {
  const parts = key.rank === undefined ? [key.createdAt, key.id] : [key.createdAt, key.id, key.rank];
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, searching: boolean): CursorKey {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (!Array.isArray(parts) || parts.length !== (searching ? 3 : 2)) throw badCursor();
  const [createdAt, id, rank] = parts as unknown[];
  if (typeof createdAt !== 'string' || !TIMESTAMP_RE.test(createdAt)) throw badCursor();
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) throw badCursor();
  if (searching && (typeof rank !== 'string' || !/^-?\d+(\.\d+)?$/.test(rank))) throw badCursor();
  return searching ? { createdAt, id, rank: rank as string } : { createdAt, id };
}

type Page = { items: LinkListItem[]; nextCursor: string | null };

/** What `q` asks for once compiled: a tsquery (null when only site:/tag: remain). */
interface Search {
  parsed: ParsedQuery;
  tsquery: string | null;
}

export class LinksQueryService {
  constructor(
    private readonly repository: LinksQueryRepository,
    private readonly db: Db,
  ) {}

  async list(userId: string, query: ListQuery): Promise<Page> {
    const search = query.q?.trim() ? await this.compile(query.q) : undefined;
    if (search === null) return { items: [], nextCursor: null };
    const searching = Boolean(search?.tsquery);
    const after = query.cursor ? decodeCursor(query.cursor, searching) : undefined;
    const rows = await this.repository.page(this.filterOf(userId, query, search, after));
    const shown = rows.slice(0, query.limit);
    const linkIds = shown.map((r) => r.link.id);
    // Three lookups by key, each on its own pooled connection: together they take about as long
    // as the slowest (the texts). At 1M links, interleaved with the same lookups one at a time:
    // 0.7-1.3 ms less at p50 per search, p95 the same (ADR 0014).
    const [page, tagRows, matches] = await Promise.all([
      this.repository.withVersions(shown),
      this.repository.tagsOf(linkIds),
      search?.tsquery ? this.matchesOf(linkIds, search.parsed) : undefined,
    ]);
    const items = page.map((row): LinkListItem => {
      const { link, snapshot, good } = row;
      const item: LinkListItem = {
        id: link.id,
        url: link.url,
        normalizedUrl: link.normalizedUrl,
        title: link.title,
        description: link.description,
        tags: tagRows.filter((t) => t.linkId === link.id).map((t) => ({ id: t.id, name: t.name })),
        latestSnapshot: snapshot
          ? {
              id: snapshot.id,
              status: snapshot.status,
              title: snapshot.title,
              finishedAt: snapshot.finishedAt?.toISOString() ?? null,
              httpStatus: snapshot.httpStatus,
              errorCapture: isErrorCapture(snapshot.httpStatus),
            }
          : null,
        lastGoodSnapshot: good
          ? { id: good.id, title: good.title, finishedAt: good.finishedAt?.toISOString() ?? null }
          : null,
        lastGoodSnapshotId: good?.id ?? null,
        schedule: ownSchedule(link.schedule),
        nextCaptureAt: null,
        deadAt: link.deadAt?.toISOString() ?? null,
        thumbnailUrl: good?.artifacts.some((a) => a.kind === 'thumbnail')
          ? `/v1/snapshots/${good.id}/artifacts/thumbnail`
          : null,
        createdAt: link.createdAt.toISOString(),
        updatedAt: link.updatedAt.toISOString(),
      };
      if (matches) item.match = matches.get(link.id) ?? { snapshotId: null, snippet: null };
      return item;
    });
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor({
            createdAt: String(last.createdText),
            id: last.link.id,
            rank: searching ? String(last.rank) : undefined,
          })
        : null;
    return { items, nextCursor };
  }

  /** null: nothing to look for (empty, stop words only, operators only) → an empty page. */
  private async compile(q: string): Promise<Search | null> {
    const parsed = parseQuery(q);
    const { tsquery, onlyExcludes } = await compileQuery(this.db, parsed);
    if (onlyExcludes) throw invalidQuery('The query only excludes words: add a word to look for.');
    if (tsquery === null && parsed.sites.length === 0 && parsed.tags.length === 0) return null;
    return { parsed, tsquery };
  }

  private filterOf(
    userId: string,
    query: ListQuery,
    search: Search | undefined,
    after: ListFilter['after'],
  ): ListFilter {
    const tags = [...query.tag, ...(search?.parsed.tags ?? [])].map((t) => t.trim()).filter((t) => t.length > 0);
    return {
      userId,
      tags,
      match: query.match,
      status: query.status,
      tsquery: search?.tsquery ?? undefined,
      sites: search?.parsed.sites,
      from: query.from,
      to: query.to,
      limit: query.limit,
      after,
    };
  }

  private async matchesOf(linkIds: string[], parsed: ParsedQuery): Promise<Map<string, SearchMatch>> {
    const versions = await this.repository.versionTexts(linkIds);
    const needles = needlesOf(parsed.terms);
    const out = new Map<string, SearchMatch>();
    for (const id of linkIds)
      out.set(
        id,
        matchOf(
          versions.filter((v) => v.linkId === id),
          needles,
        ),
      );
    return out;
  }
}
