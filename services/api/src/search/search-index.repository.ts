/**
 * Queries of the search indexer: claim stale links (skipping those another process holds),
 * read what their documents are made of, and write the weighted tsvector.
 */
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/database.js';
import { goodVersion, links, linkTags, snapshots, tags } from '../db/schema.js';
import { type LinkDocumentInput, MAX_VERSION_CHARS, type SegmentedDocument } from './search-document.js';

export class SearchIndexRepository {
  constructor(private readonly db: Db) {}

  /**
   * Runs `work` on up to `limit` stale links, locked until the transaction ends. Links another
   * process holds are skipped, unless `wait`: then the claim waits for that process to commit
   * and takes the links it left stale (PostgreSQL re-checks the condition after the wait).
   */
  async withStaleBatch<T>(
    limit: number,
    work: (tx: Tx, ids: string[]) => Promise<T>,
    { wait = false }: { wait?: boolean } = {},
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .select({ id: links.id })
        .from(links)
        .where(eq(links.searchStale, true))
        .limit(limit)
        .for('update', wait ? {} : { skipLocked: true });
      return work(
        tx,
        rows.map((r) => r.id),
      );
    });
  }

  async inputs(tx: Tx, ids: string[]): Promise<Map<string, LinkDocumentInput>> {
    const out = new Map<string, LinkDocumentInput>();
    if (ids.length === 0) return out;
    const linkRows = await tx
      .select({ id: links.id, url: links.url, title: links.title, description: links.description })
      .from(links)
      .where(inArray(links.id, ids));
    for (const l of linkRows) out.set(l.id, { ...l, tags: [], versions: [] });
    const tagRows = await tx
      .select({ linkId: linkTags.linkId, name: tags.name })
      .from(linkTags)
      .innerJoin(tags, eq(tags.id, linkTags.tagId))
      .where(inArray(linkTags.linkId, ids));
    for (const t of tagRows) out.get(t.linkId)?.tags.push(t.name);
    const versionRows = await tx
      .select({
        linkId: snapshots.linkId,
        title: snapshots.title,
        lang: snapshots.lang,
        text: sql<string | null>`left(${snapshots.text}, ${MAX_VERSION_CHARS})`,
      })
      .from(snapshots)
      .where(and(inArray(snapshots.linkId, ids), isNotNull(snapshots.text), goodVersion))
      .orderBy(desc(snapshots.requestedAt));
    for (const v of versionRows) out.get(v.linkId)?.versions.push(v);
    return out;
  }

  async write(tx: Tx, id: string, doc: SegmentedDocument): Promise<void> {
    const cfg = sql`${doc.config}::regconfig`;
    const head = sql`setweight(to_tsvector(${cfg}, ${doc.a}), 'A') || setweight(to_tsvector(${cfg}, ${doc.b}), 'B')`;
    await tx
      .update(links)
      .set({
        searchHead: head,
        // The old row's search_head would be read here, so the head is computed again.
        searchVector: sql`${head} || setweight(to_tsvector(${cfg}, ${doc.c}), 'C')`,
        searchStale: false,
      })
      .where(eq(links.id, id));
  }

  /** Links still waiting (the partial index keeps this cheap). */
  async staleCount(): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(links)
      .where(eq(links.searchStale, true));
    return row?.n ?? 0;
  }
}
