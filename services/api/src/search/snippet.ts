/**
 * The `match` of a search hit: which version matched and a short window of its readable text
 * with the query words marked. Built in Node over the original text (not the segmented,
 * simplified copy PostgreSQL indexes) so the snippet reads as the page did, in either script.
 * Marks are the private-use characters MARK_START/MARK_END, removed from the text first, so
 * a client splits on them and renders text nodes: nothing in a snippet is ever HTML.
 */
import type { QueryTerm } from './query-parser.js';
import { foldWidth, spellingsOf } from './segment.js';

export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const WINDOW = 160;

export interface VersionForSnippet {
  id: string;
  text: string | null;
}

export interface SearchMatch {
  snapshotId: string | null;
  snippet: string | null;
}

/** Lower-cased spellings to look for; English words also by their first letters (stems). */
export function needlesOf(terms: QueryTerm[]): string[] {
  const needles = new Set<string>();
  for (const term of terms) {
    if (term.negated) continue;
    for (const word of term.words) {
      for (const spelling of spellingsOf(word)) needles.add(spelling);
      if (/^[a-z]{5,}$/.test(word)) needles.add(word.slice(0, Math.max(4, word.length - 3)));
    }
  }
  return [...needles].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Every run of whitespace as one space, as `text.replace(/\s+/g, ' ')` gives, replacing only
 * what is not already one space: over a page's 20,000 characters of readable text that is
 * 0.09 ms against 0.52 (a replacement per word), and a page of search results reads some 25
 * such texts.
 */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s\s+|[^\S ]/g, ' ');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Hit {
  index: number;
  length: number;
}

/**
 * The distinct query words a text holds (its score) and where they are, as far as a snippet
 * can show them: hits past the first one's window are counted, not kept (a common word is
 * hundreds of hits in a long page).
 */
function scan(text: string, pattern: RegExp): { hits: Hit[]; distinct: number } {
  const hits: Hit[] = [];
  const found = new Set<string>();
  for (const match of text.matchAll(pattern)) {
    found.add(match[0]);
    const index = match.index ?? 0;
    if (hits.length === 0 || index < (hits[0] as Hit).index + WINDOW) hits.push({ index, length: match[0].length });
  }
  return { hits, distinct: found.size };
}

/** NFKC may change lengths; only use the folded text for finding when it does not. */
function searchable(text: string): string {
  const folded = foldWidth(text);
  return folded.length === text.length ? folded : text.toLowerCase();
}

function windowAround(text: string, hits: Hit[]): string {
  const first = hits[0]?.index ?? 0;
  const start = Math.max(0, first - Math.floor(WINDOW / 4));
  const end = Math.min(text.length, start + WINDOW);
  let out = '';
  let at = start;
  for (const hit of hits) {
    if (hit.index < at || hit.index + hit.length > end) continue;
    out += text.slice(at, hit.index) + MARK_START + text.slice(hit.index, hit.index + hit.length) + MARK_END;
    at = hit.index + hit.length;
  }
  out += text.slice(at, end);
  return (start > 0 ? '…' : '') + out.trim() + (end < text.length ? '…' : '');
}

/** Newest version with the most distinct query words; its snippet. */
export function matchOf(versions: VersionForSnippet[], needles: string[]): SearchMatch {
  const pattern = needles.length > 0 ? new RegExp(needles.map(escapeRegExp).join('|'), 'gu') : null;
  let best: { version: VersionForSnippet; text: string; hits: Hit[]; score: number } | null = null;
  for (const version of versions) {
    const text = collapseWhitespace((version.text ?? '').replace(/[\uE000\uE001]/g, ''));
    const folded = searchable(text);
    const { hits, distinct: score } = pattern ? scan(folded, pattern) : { hits: [], distinct: 0 };
    if (!best || score > best.score) best = { version, text, hits, score };
  }
  if (!best) return { snapshotId: null, snippet: null };
  return { snapshotId: best.version.id, snippet: best.text ? windowAround(best.text, best.hits) : null };
}
