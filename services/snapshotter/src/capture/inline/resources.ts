/**
 * Turning recorded responses into `data:` URIs: URL resolution against a base, the lookup
 * in the recording, and the budget that keeps one huge resource from bloating the file. Only
 * what the page itself received is used; nothing is downloaded again.
 */
import type { RecordedExchange, Recording, RecordingLookup } from '../recording.types.js';

export interface InlineContext {
  recording: RecordingLookup;
  /** Largest single resource inlined; bigger ones are dropped (their URL neutralised). */
  maxResourceBytes: number;
  /** What was inlined and what was left out, for the capture report. */
  stats: { inlined: number; missing: number; bytes: number };
}

/** A URL no browser will fetch: where a resource was not recorded, nothing is loaded. */
export const EMPTY_DATA_URL = 'data:,';

/** Redirects a page followed, at most this many in a row, are followed again from the recording. */
const MAX_REDIRECTS = 10;

/**
 * A lookup that follows recorded redirects: the DOM keeps the URL the page asked for
 * (`<img src=/old>`), while the body was recorded under the URL it was redirected to.
 */
export function followingRedirects(recording: Recording): RecordingLookup {
  const locations = new Map<string, string>();
  for (const exchange of recording.exchanges()) {
    const location = Object.entries(exchange.responseHeaders).find(([k]) => k.toLowerCase() === 'location')?.[1];
    const target =
      location && exchange.status >= 300 && exchange.status < 400 ? resolveHttp(location, exchange.url) : null;
    if (target) locations.set(exchange.url, target);
  }
  return {
    find(url) {
      let current: string | undefined = url;
      for (let hops = 0; current && hops <= MAX_REDIRECTS; hops++) {
        const found = recording.find(current);
        if (found) return found;
        current = locations.get(current.split('#')[0] as string);
      }
      return undefined;
    },
  };
}

/** The absolute http(s) URL of `ref` against `base`, without its fragment; null for anything else. */
export function resolveHttp(ref: string, base: string): string | null {
  try {
    const url = new URL(ref.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    url.hash = '';
    return url.href;
  } catch {
    return null;
  }
}

/** References that never leave the document: fragments and inline data. */
export function isLocalRef(ref: string): boolean {
  const value = ref.trim();
  return value === '' || value.startsWith('#') || /^data:/i.test(value);
}

/** The recorded, complete response for `ref` (resolved against `base`), when inlining it is allowed. */
export function recorded(ref: string, base: string, context: InlineContext): RecordedExchange | undefined {
  const url = resolveHttp(ref, base);
  const exchange = url ? context.recording.find(url) : undefined;
  if (!exchange || exchange.truncated || exchange.body.length > context.maxResourceBytes) {
    context.stats.missing++;
    return undefined;
  }
  return exchange;
}

export function dataUrl(mimeType: string, body: Buffer): string {
  const type = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(mimeType) ? mimeType : 'application/octet-stream';
  return `data:${type};base64,${body.toString('base64')}`;
}

/** `ref` as a data: URI from the recording, or an empty data URL when it was not recorded. */
export function inlineRef(ref: string, base: string, context: InlineContext): string {
  if (isLocalRef(ref)) return ref;
  const exchange = recorded(ref, base, context);
  if (!exchange) return EMPTY_DATA_URL;
  context.stats.inlined++;
  context.stats.bytes += exchange.body.length;
  return dataUrl(exchange.mimeType, exchange.body);
}

/** Text of a recorded stylesheet: its declared charset when Node knows it, else UTF-8 (minus a BOM). */
export function decodeText(exchange: RecordedExchange): string {
  const contentType = Object.entries(exchange.responseHeaders).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const charset = /charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(exchange.body);
  } catch {
    return new TextDecoder('utf-8').decode(exchange.body);
  }
}

export interface SrcsetCandidate {
  url: string;
  descriptor: string;
}

/** The candidates of a srcset attribute, after the HTML spec's parser (URLs may contain commas). */
export function parseSrcset(srcset: string): SrcsetCandidate[] {
  const candidates: SrcsetCandidate[] = [];
  let position = 0;
  while (position < srcset.length) {
    while (position < srcset.length && /[\s,]/.test(srcset[position] as string)) position++;
    const urlStart = position;
    while (position < srcset.length && !/\s/.test(srcset[position] as string)) position++;
    let url = srcset.slice(urlStart, position);
    if (url === '') break;
    let descriptor = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const comma = srcset.indexOf(',', position);
      const end = comma === -1 ? srcset.length : comma;
      descriptor = srcset.slice(position, end).trim();
      position = end + 1;
    }
    candidates.push({ url, descriptor });
  }
  return candidates;
}

/** The recorded candidates only, inlined; candidates the page never fetched are dropped. */
export function inlineSrcset(srcset: string, base: string, context: InlineContext): string {
  return parseSrcset(srcset)
    .map(({ url, descriptor }) => ({ url: inlineRef(url, base, context), descriptor }))
    .filter(({ url }) => url !== EMPTY_DATA_URL)
    .map(({ url, descriptor }) => (descriptor ? `${url} ${descriptor}` : url))
    .join(', ');
}
