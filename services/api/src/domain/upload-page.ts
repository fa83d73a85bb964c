/**
 * The checks an uploaded page passes before anything is stored: it must be HTML by its bytes
 * (the part's declared type is the sender's claim, not evidence). The sniff follows the HTML
 * patterns of the WHATWG MIME Sniffing standard (§7.1, "rules for identifying an unknown MIME
 * type"), which is also how a browser would decide to render it; binary bytes (NUL, or control
 * characters no text has) in the sniffed head refuse it outright.
 */
import { AppError } from '@linksnap/shared';

/** Tags that, after optional whitespace, start an HTML document (MIME Sniffing §7.1). */
const HTML_PATTERNS = [
  '<!doctype html',
  '<html',
  '<head',
  '<script',
  '<iframe',
  '<h1',
  '<div',
  '<font',
  '<table',
  '<a',
  '<style',
  '<title',
  '<b',
  '<body',
  '<br',
  '<p',
  '<!--',
];
/** The standard sniffs the first 1445 bytes ("resource header"). */
const SNIFF_BYTES = 1445;

/** A byte no text has: NUL and the C0 controls other than tab, LF, FF, CR and ESC (§7.1 "binary data byte"). */
function isBinaryByte(byte: number): boolean {
  return byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f);
}

/** Whether `bytes` begin like an HTML document (UTF-8, with or without BOM). */
export function looksLikeHtml(bytes: Buffer): boolean {
  const sniffed = bytes.subarray(0, SNIFF_BYTES);
  if (sniffed.some(isBinaryByte)) return false;
  const head = sniffed.toString('utf8').replace(/^\uFEFF/, '');
  const start = head.replace(/^[\t\n\f\r ]+/, '').toLowerCase();
  return HTML_PATTERNS.some((pattern) => {
    if (!start.startsWith(pattern)) return false;
    // The pattern must end the tag name: `<a` is not `<audio`; a comment needs nothing more.
    const next = start.charAt(pattern.length);
    return pattern === '<!--' || next === ' ' || next === '>';
  });
}

/** Refuses an upload that is empty or not HTML (400, nothing stored). */
export function checkUploadedPage(bytes: Buffer): void {
  if (bytes.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'The uploaded page is empty.', {
      errors: [{ pointer: '/page', detail: 'is empty' }],
    });
  }
  if (!looksLikeHtml(bytes)) {
    throw new AppError('VALIDATION_FAILED', 'The uploaded page is not an HTML document.', {
      errors: [{ pointer: '/page', detail: 'must be an HTML document (for instance a SingleFile page)' }],
    });
  }
}
