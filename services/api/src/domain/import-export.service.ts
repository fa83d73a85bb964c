/**
 * Bookmark import and export. Imports go through LinksService.create (the same validation,
 * egress check, duplicate detection and queue hand-off as an interactive save) with a lower
 * queue priority, so a big import never delays links pasted by hand.
 */
import { AppError } from '@linksnap/shared';
import type { LinksQueryRepository } from '../db/links-query.repository.js';
import { type Bookmark, parseBookmarks, writeBookmarks } from './bookmarks-format.js';
import type { LinksService } from './links.service.js';

/** BullMQ priority of imported captures: interactive jobs carry none and always run first. */
export const IMPORT_PRIORITY = 10;

export interface ImportReport {
  created: number;
  duplicates: number;
  invalid: { url: string; reason: string }[];
}

const INVALID_CODES = new Set(['INVALID_URL', 'SSRF_BLOCKED', 'VALIDATION_FAILED']);

export class ImportExportService {
  constructor(
    private readonly links: LinksService,
    private readonly query: LinksQueryRepository,
  ) {}

  async import(userId: string, html: string, requestId?: string): Promise<ImportReport> {
    const bookmarks = parseBookmarks(html);
    if (!bookmarks) {
      throw new AppError('VALIDATION_FAILED', 'The body is not a Netscape bookmark file with <DT><A> entries.', {
        errors: [{ pointer: '/', detail: 'contains no bookmark entries' }],
      });
    }
    const report: ImportReport = { created: 0, duplicates: 0, invalid: [] };
    for (const b of bookmarks) {
      try {
        const tags = [...new Set(b.tags.map((t) => t.trim()).filter((t) => t.length > 0 && t.length <= 64))];
        await this.links.create(
          userId,
          { url: b.url, tags, title: b.title, createdAt: b.addDate ?? undefined },
          requestId,
          IMPORT_PRIORITY,
        );
        report.created++;
      } catch (err) {
        if (err instanceof AppError && err.code === 'LINK_ALREADY_EXISTS') report.duplicates++;
        else if (err instanceof AppError && INVALID_CODES.has(err.code)) {
          report.invalid.push({ url: b.url, reason: err.code });
        } else throw err;
      }
    }
    return report;
  }

  async export(userId: string): Promise<string> {
    const rows = await this.query.list({ userId, tags: [], match: 'all', limit: 1_000_000 });
    const tagRows = await this.query.tagsOf(rows.map((r) => r.link.id));
    const byLink = new Map<string, string[]>();
    for (const t of tagRows) byLink.set(t.linkId, [...(byLink.get(t.linkId) ?? []), t.name]);
    const bookmarks: Bookmark[] = rows.map((r) => ({
      url: r.link.url,
      title: r.link.title,
      tags: byLink.get(r.link.id) ?? [],
      addDate: r.link.createdAt,
    }));
    return writeBookmarks(bookmarks);
  }
}
