/**
 * Listing and searching a user's links: opaque cursors, filters and the item shape
 * (tags, latest attempt, latest good version and its thumbnail, search highlight).
 */
import { AppError, isErrorCapture } from '@linksnap/shared';
import type { LinksQueryRepository } from './links-query.repository.js';

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

export interface LinkListItem {
  id: string;
  url: string;
  normalizedUrl: string;
  title: string | null;
  description: string | null;
  tags: { id: string; name: string }[];
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
  lastGoodSnapshotId: string | null;
  thumbnailUrl: string | null;
  highlight?: string | null;
  createdAt: string;
  updatedAt: string;
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

export class LinksQueryService {
  constructor(private readonly repository: LinksQueryRepository) {}

  async list(userId: string, query: ListQuery): Promise<{ items: LinkListItem[]; nextCursor: string | null }> {
    const q = query.q?.trim() || undefined;
    const after = query.cursor ? decodeCursor(query.cursor, q !== undefined) : undefined;
    const rows = await this.repository.list({
      userId,
      tags: query.tag.map((t) => t.trim()).filter((t) => t.length > 0),
      match: query.match,
      status: query.status,
      q,
      from: query.from,
      to: query.to,
      limit: query.limit,
      after,
    });
    const page = rows.slice(0, query.limit);
    const tagRows = await this.repository.tagsOf(page.map((r) => r.link.id));
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
        thumbnailUrl: good?.artifacts.some((a) => a.kind === 'thumbnail')
          ? `/v1/snapshots/${good.id}/artifacts/thumbnail`
          : null,
        createdAt: link.createdAt.toISOString(),
        updatedAt: link.updatedAt.toISOString(),
      };
      if (q) item.highlight = row.highlight ?? null;
      return item;
    });
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > query.limit && last
        ? encodeCursor({
            createdAt: String(last.createdText),
            id: last.link.id,
            rank: q ? String(last.rank) : undefined,
          })
        : null;
    return { items, nextCursor };
  }
}
