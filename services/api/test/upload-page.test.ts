/** The byte sniff an uploaded page passes before anything is stored (upload-page.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '@linksnap/shared';
import { checkUploadedPage, looksLikeHtml } from '../src/domain/upload-page.js';

describe('uploaded page sniffing', () => {
  it('accepts what SingleFile and browsers write, whatever the case, BOM or leading space', () => {
    for (const page of [
      '<!DOCTYPE html> <html><!--\n Page saved with SingleFile \n--><title>x</title>',
      '\uFEFF<!doctype html><p>x',
      '\n\t  <HTML lang="zh"><body>你好</body></HTML>',
      '<!-- saved --><html>',
      '<head><title>t</title></head>',
      '<p>just a paragraph</p>',
    ]) {
      assert.equal(looksLikeHtml(Buffer.from(page)), true, page);
    }
  });

  it('refuses binary files, other text formats and tags that only start like HTML ones', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const pdf = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj');
    const nulInside = Buffer.concat([Buffer.from('<!doctype html><p>'), Buffer.from([0, 1, 2])]);
    for (const [what, bytes] of [
      ['PNG', png],
      ['PDF', pdf],
      ['JSON', Buffer.from('{"html": "<p>x</p>"}')],
      ['plain text', Buffer.from('hello <html>')],
      ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
      ['<audio> is not <a>', Buffer.from('<audio src=x>')],
      ['NUL bytes in the head', nulInside],
    ] as const) {
      assert.equal(looksLikeHtml(bytes), false, what);
    }
  });

  it('names the part in a VALIDATION_FAILED error for an empty or non-HTML page', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from('%PDF-1.7')]) {
      assert.throws(
        () => checkUploadedPage(bytes),
        (err) => err instanceof AppError && err.code === 'VALIDATION_FAILED' && err.errors?.[0]?.pointer === '/page',
      );
    }
  });
});
