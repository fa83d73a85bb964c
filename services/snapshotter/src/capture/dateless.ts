/**
 * Makes PDF and MHTML bodies depend on the page only, so that a re-capture of an unchanged page
 * is byte-identical and content addressing stores it once (ADR 0017). Both formats carry things
 * that change on every capture and say nothing about the page: Chromium's PDF writes
 * CreationDate/ModDate, its MHTML a Date header, a random MIME boundary and random frame and
 * stylesheet Content-IDs. The capture time is kept by the snapshot row, not the document.
 *
 * Every rewrite keeps lengths, so PDF xref offsets and quoted-printable line lengths stay valid.
 */
import { createHash } from 'node:crypto';

/** `/CreationDate (D:…)` and `/ModDate (D:…)` in the PDF's info dictionary, blanked in place. */
const PDF_DATE = /\/(?:CreationDate|ModDate)\s*\(D:[0-9Z+\-']*\)/g;

export function datelessPdf(pdf: Buffer): Buffer {
  const text = pdf.toString('latin1');
  // Whitespace of the same length removes the entry from its dictionary and keeps every offset.
  const out = text.replace(PDF_DATE, (entry) => ' '.repeat(entry.length));
  return out === text ? pdf : Buffer.from(out, 'latin1');
}

/** A Content-ID token Chromium makes up per capture; may be cut by quoted-printable soft breaks. */
const MHTML_ID = /\b(frame|css)-((?:[0-9A-Fa-f-]|=\r?\n)+)(?=@)/g;
const BOUNDARY = /----MultipartBoundary--([A-Za-z0-9]+)----/;
const SOFT_BREAK = /=\r?\n/g;

/** Same length and shape as `id` (dashes kept), numbered by first appearance. */
function numbered(id: string, n: number): string {
  const digits = String(n).padStart(id.replace(/-/g, '').length, '0');
  let i = 0;
  return id.replace(/[^-]/g, () => digits[i++] ?? '0');
}

function renumberIds(text: string): string {
  const seen = new Map<string, string>();
  return text.replace(MHTML_ID, (match, prefix: string, raw: string) => {
    const id = raw.replace(SOFT_BREAK, '');
    let replacement = seen.get(`${prefix}:${id}`);
    if (replacement === undefined) {
      replacement = numbered(id, seen.size + 1);
      seen.set(`${prefix}:${id}`, replacement);
    }
    // Put the soft breaks back where they were, so every encoded line keeps its length.
    let out = '';
    let j = 0;
    for (let k = 0; k < raw.length; k++) {
      if (raw[k] === '=') {
        const brk = raw.slice(k).match(/^=\r?\n/)?.[0] ?? '=';
        out += brk;
        k += brk.length - 1;
      } else out += replacement[j++];
    }
    return `${match.slice(0, match.length - raw.length)}${out}`;
  });
}

/** Drops the top-level Date header (the MIME header block ends at the first empty line). */
function withoutDate(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  if (end < 0) return text;
  const head = text.slice(0, end).replace(/^Date: [^\r\n]*\r?\n/m, '');
  return head + text.slice(end);
}

/**
 * The boundary becomes a digest of the document written with a placeholder boundary: fixed for
 * fixed content, and as unlikely as the random one to occur inside a part.
 */
function derivedBoundary(text: string): string {
  const found = text.match(BOUNDARY);
  if (!found?.[1]) return text;
  const random = found[1];
  const placeholder = 'x'.repeat(random.length);
  if (text.includes(placeholder)) return text;
  const stable = text.split(random).join(placeholder);
  const digest = createHash('sha256')
    .update(stable)
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '');
  const boundary = digest.padEnd(random.length, '0').slice(0, random.length);
  return stable.split(placeholder).join(boundary);
}

export function datelessMhtml(mhtml: Buffer): Buffer {
  return Buffer.from(derivedBoundary(renumberIds(withoutDate(mhtml.toString('utf8')))), 'utf8');
}
