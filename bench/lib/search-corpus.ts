/**
 * A synthetic but realistically shaped library for the search benchmark: English and Chinese
 * pages whose words follow a Zipf distribution (Chinese words are jieba's most frequent
 * dictionary words), lengths log-normal around 1,200 characters, a topic per page, 1–3 tags,
 * one page in five with an older version. Deterministic (seeded), so runs compare.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES =
  'ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za zo'.split(
    ' ',
  );
/** Real words placed at chosen ranks so queries read naturally. */
const PLACED: [number, string][] = [
  [40, 'database'],
  [60, 'search'],
  [90, 'security'],
  [120, 'design'],
  [160, 'postgres'],
  [220, 'kubernetes'],
  [300, 'typescript'],
  [420, 'snapshot'],
  [600, 'travel'],
  [900, 'cooking'],
];

function englishVocabulary(size: number): string[] {
  const random = rng(7);
  const seen = new Set<string>(PLACED.map(([, w]) => w));
  const words: string[] = [];
  while (words.length < size) {
    const n = 2 + Math.floor(random() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  for (const [rank, word] of PLACED) words.splice(rank, 0, word);
  return words.slice(0, size);
}

function chineseVocabulary(size: number): string[] {
  const require = createRequire(new URL('../../services/api/package.json', import.meta.url));
  const lines = readFileSync(require.resolve('@node-rs/jieba/dict.txt'), 'utf8').split('\n');
  return lines
    .map((l) => l.split(' '))
    .filter(([w, f]) => w && f && /^\p{Script=Han}{2,4}$/u.test(w))
    .sort((a, b) => Number(b[1]) - Number(a[1]))
    .slice(0, size)
    .map(([w]) => w as string);
}

function zipf(size: number, s: number): Float64Array {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) {
    total += 1 / (r + 1) ** s;
    cumulative[r] = total;
  }
  for (let r = 0; r < size; r++) cumulative[r] = (cumulative[r] as number) / total;
  return cumulative;
}

function draw(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Page {
  lang: 'en' | 'zh';
  title: string;
  description: string | null;
  /** As stored (Chinese without spaces) and as the indexer segments it (words spaced). */
  text: string;
  segmented: string;
  titleSegmented: string;
}

export class Corpus {
  readonly en = englishVocabulary(8000);
  readonly zh = chineseVocabulary(8000);
  private readonly cumulative = zipf(8000, 1.05);
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = rng(seed);
  }

  private words(vocab: string[], topic: number, count: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const r =
        this.random() < 0.25
          ? (topic + Math.floor(this.random() * 60)) % vocab.length
          : draw(this.cumulative, this.random());
      out.push(vocab[r] as string);
    }
    return out;
  }

  private length(): number {
    // Log-normal: median ~1,200 characters, most pages between 300 and 6,000.
    const u = Math.max(1e-9, this.random());
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.random());
    return Math.min(8000, Math.max(200, Math.round(1200 * Math.exp(0.8 * normal))));
  }

  page(): Page {
    const lang = this.random() < 0.35 ? 'zh' : 'en';
    const vocab = lang === 'zh' ? this.zh : this.en;
    const topic = 100 + Math.floor(this.random() * 7000);
    const chars = this.length();
    const words = this.words(vocab, topic, Math.ceil(chars / (lang === 'zh' ? 2.4 : 7)));
    if (lang === 'zh') for (let i = 0; i < words.length; i += 15) words[i] = this.words(this.en, topic, 1)[0] as string;
    const title = this.words(vocab, topic, 4 + Math.floor(this.random() * 4));
    const description = this.random() < 0.4 ? this.words(vocab, topic, 12).join(' ') : null;
    const join = (ws: string[]) => (lang === 'zh' ? joinChinese(ws) : ws.join(' '));
    return {
      lang,
      title: join(title),
      description,
      text: join(words),
      segmented: words.join(' '),
      titleSegmented: title.join(' '),
    };
  }

  /** A word of this rank range, for queries. */
  pick(vocab: 'en' | 'zh', from: number, to: number): string {
    return this[vocab][from + Math.floor(this.random() * (to - from))] as string;
  }
}

function joinChinese(words: string[]): string {
  let out = '';
  words.forEach((w, i) => {
    const latin = /^[a-z]/.test(w);
    out += latin ? ` ${w} ` : w;
    if (i % 12 === 11) out += i % 36 === 35 ? '。' : '，';
  });
  return out;
}
