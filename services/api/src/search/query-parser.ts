/**
 * The search language of `q`, websearch style: words are ANDed, "quoted phrase", -excluded,
 * prefix*, site:example.com and tag:name. Parsing yields data only; the words reach
 * PostgreSQL as bound parameters (see search-query.ts), never as SQL text.
 */
import { AppError } from '@linksnap/shared';
import { segmentQueryWord } from './segment.js';

export interface QueryTerm {
  /** Folded, segmented words: one user word may be several (数据库索引 → 数据库, 索引). */
  words: string[];
  phrase: boolean;
  negated: boolean;
  prefix: boolean;
}

export interface ParsedQuery {
  terms: QueryTerm[];
  sites: string[];
  tags: string[];
}

const MAX_LENGTH = 500;
const MAX_TERMS = 32;
/** Typographic quotes count as quotes: 「」 and “” are what Chinese keyboards type. */
const QUOTES = /["“”「」『』]/;
const HOST = /^[a-z0-9.-]+$/;

export function invalidQuery(detail: string): AppError {
  return new AppError('INVALID_QUERY', detail, { errors: [{ pointer: '/q', detail }] });
}

/** Splits into raw tokens: quoted runs stay whole, a leading '-' stays attached. */
function tokenize(q: string): { text: string; quoted: boolean; negated: boolean }[] {
  const tokens: { text: string; quoted: boolean; negated: boolean }[] = [];
  const re = /(-?)["“「『]([^"”」』]*)["”」』]?|(\S+)/gu;
  for (const m of q.normalize('NFKC').matchAll(re)) {
    if (m[2] !== undefined) tokens.push({ text: m[2], quoted: true, negated: m[1] === '-' });
    else if (m[3] !== undefined) tokens.push(plainToken(m[3]));
  }
  return tokens;
}

function plainToken(raw: string): { text: string; quoted: boolean; negated: boolean } {
  const negated = raw.length > 1 && raw.startsWith('-');
  return { text: negated ? raw.slice(1) : raw, quoted: false, negated };
}

/** Words of a token without the characters that only ever act as operators at its edges. */
function wordsOf(text: string): string[] {
  return segmentQueryWord(text.replace(QUOTES, ' ').trim()).filter((w) => /[\p{L}\p{N}]/u.test(w));
}

function termOf(token: { text: string; quoted: boolean; negated: boolean }): QueryTerm | null {
  const prefix = !token.quoted && /[\p{L}\p{N}]\*+$/u.test(token.text);
  const words = wordsOf(prefix ? token.text.replace(/\*+$/, '') : token.text);
  if (words.length === 0) return null;
  return { words, phrase: token.quoted, negated: token.negated, prefix };
}

function operatorOf(parsed: ParsedQuery, text: string): boolean {
  const m = /^(site|tag):(.+)$/i.exec(text);
  if (!m?.[1] || !m[2]) return false;
  if (m[1].toLowerCase() === 'tag') {
    parsed.tags.push(m[2]);
    return true;
  }
  const host = m[2]
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/.*$/, '');
  if (!HOST.test(host)) return false;
  parsed.sites.push(host);
  return true;
}

export function parseQuery(q: string): ParsedQuery {
  if (q.length > MAX_LENGTH) throw invalidQuery(`The query is longer than ${MAX_LENGTH} characters.`);
  const parsed: ParsedQuery = { terms: [], sites: [], tags: [] };
  for (const token of tokenize(q)) {
    if (!token.quoted && !token.negated && operatorOf(parsed, token.text)) continue;
    const term = termOf(token);
    if (term) parsed.terms.push(term);
  }
  if (parsed.terms.length > MAX_TERMS) throw invalidQuery(`The query has more than ${MAX_TERMS} terms.`);
  return parsed;
}
