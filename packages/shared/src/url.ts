/**
 * Target URL validation and normalisation. Parsing uses the WHATWG URL parser (the one
 * browsers use), which already canonicalises numeric hosts (2130706433, 0x7f.1), lower-cases
 * scheme and host, converts IDN to punycode and drops default ports.
 */
import { AppError } from './errors.js';

export const MAX_URL_LENGTH = 2048;

const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'vero_id',
  'oly_anon_id',
  'oly_enc_id',
  '_ga',
  '_gl',
  'twclid',
  'ttclid',
  'li_fat_id',
]);

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

/** Parses a user-supplied target; only absolute http(s) URLs without credentials pass. */
export function parseHttpUrl(input: string): URL {
  const trimmed = input.trim();
  if (trimmed.length === 0) throw new AppError('INVALID_URL', 'The URL is empty.');
  if (trimmed.length > MAX_URL_LENGTH) {
    throw new AppError('INVALID_URL', `The URL is longer than ${MAX_URL_LENGTH} characters.`);
  }
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new AppError('INVALID_URL', 'The URL could not be parsed. Include the scheme, e.g. https://example.com/.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError(
      'INVALID_URL',
      `Only http and https URLs can be captured, not ${url.protocol.replace(/:$/, '')}.`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new AppError('INVALID_URL', 'URLs with embedded credentials are not accepted.');
  }
  if (url.hostname === '') throw new AppError('INVALID_URL', 'The URL has no host.');
  return url;
}

/**
 * The form used to detect duplicates: fragment and tracking parameters removed, the order of
 * the remaining query parameters kept, everything else as the WHATWG parser canonicalised it.
 */
export function normalizeUrl(input: string | URL): string {
  const url = new URL(typeof input === 'string' ? parseHttpUrl(input).href : input.href);
  url.hash = '';
  if (url.search !== '') {
    const kept = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
    // Rebuild only when something was removed, so the original encoding of kept params stays.
    if (kept.length !== [...url.searchParams].length) {
      const params = new URLSearchParams();
      for (const [name, value] of kept) params.append(name, value);
      url.search = params.toString();
    }
  }
  let href = url.href;
  if (href.endsWith('?')) href = href.slice(0, -1);
  return href;
}

/** `host:port` of a URL as matched against EGRESS_ALLOW (default ports made explicit). */
export function hostPort(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** `hostPort` of an http(s) URL given as text; null for other schemes and unparsable text. */
export function hostPortOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? hostPort(parsed) : null;
  } catch {
    return null;
  }
}
