/**
 * Date-free PDF and MHTML (capture/dateless.ts, ADR 0017): what changes on every capture of an
 * unchanged page is made stable, lengths kept so PDF offsets and quoted-printable lines hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { datelessMhtml, datelessPdf } from '../src/capture/dateless.js';

const pdf = (when: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj\n<</Producer (Skia/PDF m156)\n/CreationDate (D:${when}+00'00')\n/ModDate (D:${when}+00'00')>>\nendobj\nxref\n`,
    'latin1',
  );

test('PDFs printed at different times become identical, same length, without dates', () => {
  const a = datelessPdf(pdf('20261204202935'));
  const b = datelessPdf(pdf('20271231235959'));
  assert.deepEqual(a, b);
  assert.equal(a.length, pdf('20261204202935').length, 'every byte offset is kept');
  assert.doesNotMatch(a.toString('latin1'), /CreationDate|ModDate/);
  assert.match(a.toString('latin1'), /\/Producer \(Skia\/PDF m156\)/);
});

const mhtml = (boundary: string, date: string, frame: string, css: string) =>
  Buffer.from(
    [
      'From: <Saved by Blink>',
      'Subject: T',
      `Date: ${date}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="----MultipartBoundary--${boundary}----"`,
      '',
      '',
      `------MultipartBoundary--${boundary}----`,
      'Content-Type: text/html',
      `Content-ID: <frame-${frame}@mhtml.blink>`,
      'Content-Transfer-Encoding: quoted-printable',
      '',
      // A Content-ID cut by a soft line break, as quoted-printable does.
      `<link href=3D"cid:css-${css.slice(0, 6)}=\r\n${css.slice(6)}@mhtml.blink" /><p>Date: not a header</p>`,
      `------MultipartBoundary--${boundary}----`,
      'Content-Type: text/css',
      `Content-Location: cid:css-${css}@mhtml.blink`,
      '',
      'body { color: red; }',
      `------MultipartBoundary--${boundary}------`,
      '',
    ].join('\r\n'),
  );

test('MHTML saved twice becomes identical: no Date header, stable boundary and Content-IDs', () => {
  const a = datelessMhtml(
    mhtml('R7bROCvRzeYhtctAKg6y6QDdEp', 'Fri, 04 Dec 2026 20:29:35 GMT', '0726174EF3760579', 'a9aa98b8-f227-4e92'),
  );
  const b = datelessMhtml(
    mhtml('Zq1xP0wQ9mN2bV7cX4zL8kJ3hG', 'Sat, 05 Dec 2026 09:00:00 GMT', '2BB5E810B24E9D14', '0f0e0d0c-1111-2222'),
  );
  assert.deepEqual(a, b);
  const text = a.toString('utf8');
  assert.doesNotMatch(text.split('\r\n\r\n')[0] as string, /^Date:/m);
  assert.match(text, /<p>Date: not a header<\/p>/, 'only the top-level header goes');
  assert.match(text, /Content-ID: <frame-0000000000000001@mhtml\.blink>/);
  assert.match(text, /cid:css-000000=\r\n00-0000-0002@mhtml\.blink/, 'the soft break stays where it was');
  assert.match(text, /Content-Location: cid:css-00000000-0000-0002@mhtml\.blink/);
  const boundary = /boundary="(----MultipartBoundary--[A-Za-z0-9]+----)"/.exec(text)?.[1];
  assert.ok(boundary && text.split(`--${boundary}`).length === 4, 'every delimiter uses the new boundary');
});
