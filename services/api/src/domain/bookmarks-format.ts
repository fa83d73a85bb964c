/**
 * The Netscape bookmark file format (what every browser imports and exports): parsing with
 * htmlparser2's event stream, which copes with the format's unclosed <DT> and <p> tags, and
 * writing. Folders become tags, except the browsers' own toolbar/unfiled root folders.
 */
import { Parser } from 'htmlparser2';

export interface Bookmark {
  url: string;
  title: string | null;
  tags: string[];
  addDate: Date | null;
}

const ROOT_FOLDER_ATTRS = ['personal_toolbar_folder', 'unfiled_bookmarks_folder'];

function parseAddDate(value: string | undefined): Date | null {
  if (!value || !/^\d{1,12}$/.test(value)) return null;
  const date = new Date(Number(value) * 1000);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Every <A HREF> inside a <DL>, with its folder path and TAGS as tags; null if none. */
export function parseBookmarks(html: string): Bookmark[] | null {
  const folders: (string | null)[] = [];
  const out: Bookmark[] = [];
  let folderText: string | null = null;
  let folderIsRoot = false;
  let pendingFolder: string | null = null;
  let anchor: { href: string; addDate: Date | null; tags: string[]; text: string } | null = null;
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (name === 'h3') {
          folderText = '';
          folderIsRoot = ROOT_FOLDER_ATTRS.some((a) => attrs[a] === 'true');
        } else if (name === 'dl') {
          folders.push(pendingFolder);
          pendingFolder = null;
        } else if (name === 'a' && folders.length > 0 && attrs.href) {
          const tags = (attrs.tags ?? '')
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t.length > 0);
          anchor = { href: attrs.href.trim(), addDate: parseAddDate(attrs.add_date), tags, text: '' };
        }
      },
      ontext(text) {
        if (folderText !== null) folderText += text;
        if (anchor) anchor.text += text;
      },
      onclosetag(name) {
        if (name === 'h3' && folderText !== null) {
          const title = folderText.trim();
          pendingFolder = folderIsRoot || title.length === 0 ? null : title.slice(0, 64);
          folderText = null;
        } else if (name === 'dl') {
          folders.pop();
        } else if (name === 'a' && anchor) {
          const folderTags = folders.filter((f): f is string => f !== null);
          const title = anchor.text.trim();
          out.push({
            url: anchor.href,
            title: title.length > 0 ? title.slice(0, 2000) : null,
            tags: [...folderTags, ...anchor.tags],
            addDate: anchor.addDate,
          });
          anchor = null;
        }
      },
    },
    { lowerCaseTags: true, lowerCaseAttributeNames: true, decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return out.length > 0 ? out : null;
}

const escapeHtml = (value: string) =>
  value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** A flat bookmark file: tags travel in the TAGS attribute, the save time in ADD_DATE. */
export function writeBookmarks(bookmarks: Bookmark[]): string {
  const lines = [
    '<!DOCTYPE NETSCAPE-Bookmark-file-1>',
    '<!-- This is an automatically generated file. It will be read and overwritten. DO NOT EDIT! -->',
    '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
    '<TITLE>Bookmarks</TITLE>',
    '<H1>Bookmarks</H1>',
    '<DL><p>',
  ];
  for (const b of bookmarks) {
    const attrs = [`HREF="${escapeHtml(b.url)}"`];
    if (b.addDate) attrs.push(`ADD_DATE="${Math.floor(b.addDate.getTime() / 1000)}"`);
    if (b.tags.length > 0) attrs.push(`TAGS="${escapeHtml(b.tags.join(','))}"`);
    lines.push(`    <DT><A ${attrs.join(' ')}>${escapeHtml(b.title ?? b.url)}</A>`);
  }
  lines.push('</DL><p>', '');
  return lines.join('\n');
}
