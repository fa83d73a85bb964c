/**
 * Merges the WACZ of several snapshot versions into one WACZ 1.1.1 package. Each version's
 * WARC files are kept byte for byte under a name prefixed with the snapshot id, so every
 * CDXJ offset stays valid and only each line's `filename` changes; the CDXJ lines are merged
 * in sort order, pages.jsonl concatenated, and the package is sealed as every capture's is
 * (sealWacz: a new datapackage.json with every file's sha256, signed; entries stored, not
 * deflated, so a reader can seek into the WARCs).
 */
import { gunzipSync } from 'node:zlib';
import { AppError, type ArchiveSigner, sealWacz } from '@linksnap/shared';
import { unzipSync } from 'fflate';

export interface VersionArchive {
  snapshotId: string;
  wacz: Uint8Array;
}

export interface MergeInfo {
  title: string;
  software: string;
  created?: Date;
  /** The instance key: the merged package is signed like every captured one. */
  signer: ArchiveSigner;
}

interface Parsed {
  warcs: Map<string, Uint8Array>;
  cdxLines: string[];
  pages: { header: string | null; lines: string[] };
  mainPage: { url?: string; ts?: string };
}

const text = (data: Uint8Array) => Buffer.from(data).toString('utf8');
const lines = (data: string) => data.split('\n').filter((l) => l.trim().length > 0);

function corrupt(snapshotId: string, why: string): AppError {
  return new AppError('INTERNAL', `The stored archive of snapshot ${snapshotId} is unreadable: ${why}.`);
}

/** The CDXJ lines of one package (plain .cdx/.cdxj, or gzip-compressed .cdx.gz), renamed. */
function indexLines(files: Record<string, Uint8Array>, rename: (f: string) => string, id: string): string[] {
  const out: string[] = [];
  for (const [name, data] of Object.entries(files)) {
    if (!name.startsWith('indexes/')) continue;
    let body: string;
    if (/\.cdxj?$/.test(name)) body = text(data);
    else if (name.endsWith('.cdx.gz')) body = text(gunzipSync(data));
    else continue;
    for (const line of lines(body)) {
      const brace = line.indexOf('{');
      if (brace < 0) throw corrupt(id, 'a CDXJ line has no JSON block');
      const fields = JSON.parse(line.slice(brace)) as { filename?: string };
      if (fields.filename) fields.filename = rename(fields.filename);
      out.push(`${line.slice(0, brace)}${JSON.stringify(fields)}`);
    }
  }
  return out;
}

function parseVersion({ snapshotId, wacz }: VersionArchive): Parsed {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(wacz);
  } catch {
    throw corrupt(snapshotId, 'not a zip file');
  }
  const rename = (f: string) => `${snapshotId}-${f.split('/').pop()}`;
  const warcs = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(files)) {
    if (name.startsWith('archive/')) warcs.set(rename(name), data);
  }
  if (warcs.size === 0) throw corrupt(snapshotId, 'no WARC file');
  const pageLines = lines(text(files['pages/pages.jsonl'] ?? new Uint8Array()));
  const header = pageLines[0]?.includes('"format"') ? (pageLines.shift() ?? null) : null;
  const datapackage = files['datapackage.json'] ? JSON.parse(text(files['datapackage.json'])) : {};
  return {
    warcs,
    cdxLines: indexLines(files, rename, snapshotId),
    pages: { header, lines: pageLines },
    mainPage: { url: datapackage.mainPageUrl, ts: datapackage.mainPageDate },
  };
}

/**
 * One WACZ holding every record of every version (oldest first); the newest version's page is
 * the main page. The caller has verified each version, so signing never launders a changed one.
 */
export function mergeWacz(versions: VersionArchive[], info: MergeInfo): Uint8Array {
  if (versions.length === 0) throw new AppError('NOT_FOUND', 'There is no archive to export.');
  const parsed = versions.map(parseVersion);
  const files: Record<string, Uint8Array> = {};
  for (const p of parsed) for (const [name, data] of p.warcs) files[`archive/${name}`] = data;
  const index = parsed.flatMap((p) => p.cdxLines).sort();
  files['indexes/index.cdxj'] = Buffer.from(`${index.join('\n')}\n`);
  const header = JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' });
  files['pages/pages.jsonl'] = Buffer.from(`${[header, ...parsed.flatMap((p) => p.pages.lines)].join('\n')}\n`);
  return sealWacz(files, {
    title: info.title,
    software: info.software,
    created: info.created ?? new Date(),
    signer: info.signer,
    mainPage: parsed.at(-1)?.mainPage,
  });
}
