/** The search benchmark's tags and query mix, shared with search-explain.ts. */
import type { Corpus } from './search-corpus.js';

export const TAGS = ['dev', 'read-later', 'news', '中文', 'work', 'fun', 'reference', 'recipes', 'travel', 'research'];

/** What people type: mostly mid-frequency words, some pairs, some prefixes, some common words. */
export function queryMix(corpus: Corpus, n: number): string[] {
  const shapes = [
    () => corpus.pick('en', 100, 3000),
    () => corpus.pick('zh', 100, 3000),
    () => `${corpus.pick('en', 20, 500)} ${corpus.pick('en', 100, 3000)}`,
    () => `${corpus.pick('zh', 20, 500)} ${corpus.pick('zh', 100, 3000)}`,
    () => `${corpus.pick('en', 200, 3000).slice(0, 5)}*`,
    () => corpus.pick('en', 5, 50),
    () => `${corpus.pick('zh', 5, 50)} ${corpus.pick('en', 300, 3000)}`,
    () => `${corpus.pick('en', 100, 2000)} -${corpus.pick('en', 10, 100)}`,
  ];
  return Array.from({ length: n }, (_, i) => (shapes[i % shapes.length] as () => string)());
}
