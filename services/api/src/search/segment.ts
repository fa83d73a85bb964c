/**
 * Turns text into the word stream PostgreSQL indexes: full-width forms folded to half-width
 * (NFKC), runs of Chinese/Japanese script folded from traditional to simplified and cut into
 * words by jieba, everything else left for PostgreSQL's own parser. The same folding runs on
 * documents and on queries, so 數據庫 finds 数据库 and ＰｏｓｔｇｒｅＳＱＬ finds PostgreSQL.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import * as OpenCC from 'opencc-js';

const jieba = Jieba.withDict(dict);
// 'hk' → 'cn' covers the Taiwan and Hong Kong character sets; phrase tables are not needed
// for folding because both sides of the match go through the same conversion.
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });
const toTraditional = [OpenCC.Converter({ from: 'cn', to: 'tw' }), OpenCC.Converter({ from: 'cn', to: 'hk' })];

const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+/gu;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

export function hasCjk(text: string): boolean {
  return CJK_CHAR.test(text);
}

/** Full-width → half-width and compatibility forms → plain, then lower case. */
export function foldWidth(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const japanese = new Intl.Segmenter('ja', { granularity: 'word' });

/**
 * Words of one CJK run: jieba for Chinese; ICU's dictionary (Intl.Segmenter) when the run has
 * kana, i.e. is Japanese. Japanese is segmented before folding, since ICU knows its kanji as
 * written; every word is then folded so both scripts meet in one spelling.
 */
function wordsOfRun(run: string): string[] {
  if (KANA.test(run)) {
    return [...japanese.segment(run)].filter((s) => s.isWordLike).map((s) => toSimplified(s.segment));
  }
  return jieba.cut(toSimplified(run), false).filter((w) => w.trim().length > 0);
}

function cutRun(run: string, subwords: string[]): string {
  const words = wordsOfRun(run);
  for (const word of words) {
    // Long Chinese words also index their parts (数据库 → 数据, 据库) so a shorter query still
    // hits; they go after the text, keeping the word order intact for phrase queries.
    if ([...word].length > 2 && !KANA.test(word)) {
      for (const part of jieba.cutForSearch(word, false)) if (part !== word) subwords.push(part);
    }
  }
  return ` ${words.join(' ')} `;
}

/** A document field as PostgreSQL should see it: CJK runs cut into space-separated words. */
export function segmentDocument(text: string): string {
  const subwords: string[] = [];
  const cut = foldWidth(text).replace(CJK_RUN, (run) => cutRun(run, subwords));
  return subwords.length > 0 ? `${cut} ${subwords.join(' ')}` : cut;
}

/** The words of one query term (no sub-words: the document side carries those). */
export function segmentQueryWord(word: string): string[] {
  const out: string[] = [];
  for (const piece of foldWidth(word).split(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+)/u)) {
    if (piece.length === 0) continue;
    out.push(...(hasCjk(piece) ? wordsOfRun(piece) : [piece]));
  }
  return out;
}

/** Spellings of a folded query word that may appear in the original text (for snippets). */
export function spellingsOf(word: string): string[] {
  if (!hasCjk(word)) return [word];
  return [...new Set([word, ...toTraditional.map((convert) => convert(word))])];
}
