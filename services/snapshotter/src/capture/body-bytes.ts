/**
 * The bytes of a body Chromium handed back as text. `Network.getResponseBody` returns text
 * resources decoded with the charset Chromium chose (the Content-Type's, or for HTML a
 * `<meta charset>`); a body in a legacy charset must be encoded back with that same charset to
 * be byte-exact. Labels follow the WHATWG Encoding Standard, which is what Chromium decodes
 * with: latin1, iso-8859-1 and ascii all mean windows-1252.
 */
import iconv from 'iconv-lite';

const WHATWG_ALIASES: Record<string, string> = {
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'x-sjis': 'shift_jis',
  gb2312: 'gbk',
};
/** Where a document may declare its charset (HTML spec: the first 1024 bytes). */
const META_WINDOW = 1024;

function charsetFromContentType(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

function charsetFromMeta(text: string): string | null {
  const head = text.slice(0, META_WINDOW);
  const match = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head);
  return match?.[1]?.toLowerCase() ?? null;
}

function charsetOf(text: string, contentType: string | undefined, mimeType: string): string {
  const declared = charsetFromContentType(contentType);
  const sniffed = !declared && (mimeType === 'text/html' || mimeType === 'application/xhtml+xml');
  const label = declared ?? (sniffed ? charsetFromMeta(text) : null) ?? 'utf-8';
  return WHATWG_ALIASES[label] ?? label;
}

/** Encodes a decoded text body back into the bytes the server sent. */
export function textBodyBytes(text: string, contentType: string | undefined, mimeType: string): Buffer {
  const charset = charsetOf(text, contentType, mimeType);
  if (charset === 'utf-8' || charset === 'utf8' || !iconv.encodingExists(charset)) return Buffer.from(text, 'utf8');
  return iconv.encode(text, charset);
}
