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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Hit {
  index: number;
  length: number;
}

function hitsIn(text: string, pattern: RegExp): Hit[] {
  return [...text.matchAll(pattern)].map((m) => ({ index: m.index ?? 0, length: m[0].length }));
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
    const text = (version.text ?? '').replace(/[\uE000\uE001]/g, '').replace(/\s+/g, ' ');
    const folded = searchable(text);
    const hits = pattern ? hitsIn(folded, pattern) : [];
    const score = new Set(hits.map((h) => folded.slice(h.index, h.index + h.length))).size;
    if (!best || score > best.score) best = { version, text, hits, score };
  }
  if (!best) return { snapshotId: null, snippet: null };
  return { snapshotId: best.version.id, snippet: best.text ? windowAround(best.text, best.hits) : null };
}
