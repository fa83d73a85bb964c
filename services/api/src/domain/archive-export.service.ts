/**
 * Exports of the recorded archives: one WACZ merging every version of a link, and the
 * bookmark export with each link's merged WACZ beside it in one zip. The zip is streamed (one
 * link's archives in memory at a time), so an export of a large library never sits in memory.
 */
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import { AppError, type ArchiveSigner, type ObjectStorage } from '@linksnap/shared';
import { Zip, ZipPassThrough } from 'fflate';
import type { LinksAdminRepository } from '../db/links-admin.repository.js';
import type { LinksQueryRepository } from '../db/links-query.repository.js';
import type { ImportExportService } from './import-export.service.js';
import type { LinksService } from './links.service.js';
import type { StandaloneArchives } from './standalone-archive.js';
import { mergeWacz, type VersionArchive } from './wacz-merge.js';

export const EXPORT_SOFTWARE = 'LinkSnap';

export interface ArchiveExportDeps {
  links: LinksService;
  versions: LinksAdminRepository;
  query: LinksQueryRepository;
  bookmarks: ImportExportService;
  storage: ObjectStorage;
  signer: ArchiveSigner;
  standalone: StandaloneArchives;
}

/** One entry of archives/index.json in the bookmark zip. */
interface IndexEntry {
  linkId: string;
  url: string;
  title: string | null;
  file: string;
  versions: string[];
}

export class ArchiveExportService {
  constructor(private readonly deps: ArchiveExportDeps) {}

  /**
   * Every version's WACZ of a link the caller has checked is theirs, oldest first, each verified
   * (ARCHIVE_TAMPERED otherwise): the merged package gets a new signature over all of them.
   */
  private async versionArchives(linkId: string): Promise<VersionArchive[]> {
    const rows = await this.deps.versions.versions(linkId);
    // Revisits resolved: the earlier archives a version refers to come along (ADR 0017).
    return this.deps.standalone.withBases(rows.reverse());
  }

  private merge(archives: VersionArchive[], title: string): Uint8Array {
    return mergeWacz(archives, { title, software: EXPORT_SOFTWARE, signer: this.deps.signer });
  }

  /** GET /v1/links/{id}/export.wacz: NOT_FOUND for another user's link and for a link with no archive. */
  async linkWacz(userId: string, linkId: string): Promise<{ filename: string; body: Uint8Array }> {
    const link = await this.deps.links.get(userId, linkId);
    const archives = await this.versionArchives(link.id);
    if (archives.length === 0) throw new AppError('NOT_FOUND', 'No version of this link has a WACZ archive.');
    const body = this.merge(archives, link.title ?? link.url);
    return { filename: `${link.id}.wacz`, body };
  }

  /**
   * GET /v1/export?archives=wacz: bookmarks.html, archives/{linkId}.wacz for each link with an
   * archive, and archives/index.json mapping files to links. Errors after the first byte end
   * the stream (the client sees a truncated zip), as headers are already sent.
   */
  async bookmarksZip(userId: string): Promise<Readable> {
    const html = await this.deps.bookmarks.export(userId);
    const rows = await this.deps.query.list({ userId, tags: [], match: 'all', limit: 1_000_000 });
    const out = new PassThrough();
    const zip = new Zip((err, chunk) => {
      if (err) out.destroy(err);
      else out.write(chunk);
    });
    const add = (name: string, data: Uint8Array) => {
      const entry = new ZipPassThrough(name);
      zip.add(entry);
      entry.push(data, true);
    };
    add('bookmarks.html', Buffer.from(html));
    (async () => {
      const index: IndexEntry[] = [];
      for (const { link } of rows) {
        if (out.writableNeedDrain) await once(out, 'drain');
        const archives = await this.versionArchives(link.id);
        if (archives.length === 0) continue;
        const file = `archives/${link.id}.wacz`;
        add(file, this.merge(archives, link.title ?? link.url));
        index.push({
          linkId: link.id,
          url: link.url,
          title: link.title,
          file,
          versions: archives.map((a) => a.snapshotId),
        });
      }
      add('archives/index.json', Buffer.from(JSON.stringify(index, null, 2)));
      zip.end();
      out.end();
    })().catch((err) => out.destroy(err));
    return out;
  }
}
