/**
 * The archive fixture: one page that uses every kind of subresource an archive must keep (an
 * image behind a redirect, a stylesheet, a web font, an XHR-loaded paragraph), plus bodies that
 * test byte-exact recording (gzip-encoded, binary), a response over any small cap, and one that
 * never ends. Shared by the recorder, WACZ, self-contained HTML and replay tests.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { gzipSync } from 'node:zlib';
import type { FixtureServer } from './fixture-server.js';

export const ARCHIVE_PAGE_TITLE = 'Fixture: an archived page';
export const XHR_PARAGRAPH = 'This paragraph arrived by XHR after load';
/** A 1×1 red PNG. */
export const RED_PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
export const ARCHIVE_CSS = `@font-face{font-family:Archived;src:url(/archive/font.ttf) format("truetype")}
body{font-family:Archived,sans-serif;background:#fafaf0;margin:30px}h1{color:rgb(200,0,0)}
img{width:40px;height:40px}\n`;
/** Any TrueType font; DejaVu ships with Debian's Chromium. */
export const ARCHIVE_FONT = readFileSync('/usr/share/fonts/truetype/dejavu/DejaVuSans-ExtraLight.ttf');
/** Random, so no text decoding can survive unnoticed. */
export const BINARY_BODY = randomBytes(4096);
/** Text in a legacy charset: "café “quoted”" in windows-1252, not valid UTF-8. */
export const LEGACY_TEXT = Buffer.from([
  0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x71, 0x75, 0x6f, 0x74, 0x65, 0x64, 0x94, 0x0a,
]);
export const GZIP_TEXT = `${'Compressed on the wire, stored decoded. '.repeat(200)}\n`;
/** Over the recorder cap the tests set (see RECORD_CAP_FOR_TESTS). */
export const LARGE_BODY = Buffer.alloc(768 * 1024, 0x62);
export const RECORD_CAP_FOR_TESTS = 512 * 1024;

/** Becomes true in the archive page once all of its resources have arrived. */
export const ARCHIVE_COMPLETE = 'window.archiveComplete === true';

/** Paths of the five resources of the archive page, in request order. */
export const ARCHIVE_RESOURCES = {
  page: '/archive/page',
  stylesheet: '/archive/style.css',
  imageRedirect: '/archive/image',
  image: '/archive/pixel.png',
  font: '/archive/font.ttf',
  xhr: '/archive/paragraph.json',
} as const;

function archivePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${ARCHIVE_PAGE_TITLE}</title>
<link rel="stylesheet" href="/archive/style.css"></head>
<body><h1>${ARCHIVE_PAGE_TITLE}</h1>
<p>Static text in the archived font.</p>
<img id="pixel" src="/archive/image" alt="a red pixel">
<p id="xhr">waiting</p>
<script>
const paragraph = new Promise((resolve) => {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', '/archive/paragraph.json');
  xhr.onload = () => {
    document.getElementById('xhr').textContent = JSON.parse(xhr.responseText).text;
    resolve();
  };
  xhr.send();
});
const bodies = ['/archive/binary.bin', '/archive/gzip.txt', '/archive/large.bin', '/archive/legacy.txt'].map((u) =>
  fetch(u).then((r) => r.arrayBuffer()),
);
// Set once every resource has arrived, for tests that wait on the page.
Promise.all([paragraph, ...bodies, document.fonts.ready]).then(() => { window.archiveComplete = true; });
</script></body></html>`;
}

function send(res: http.ServerResponse, type: string, body: Buffer | string, extra: http.OutgoingHttpHeaders = {}) {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', ...extra });
  res.end(body);
}

/** Adds the archive routes to a fixture server. */
export function addArchiveRoutes(fixture: FixtureServer): void {
  fixture.route('/archive/page', (_req, res) => send(res, 'text/html; charset=utf-8', archivePage()));
  fixture.route('/archive/style.css', (_req, res) => send(res, 'text/css', ARCHIVE_CSS));
  fixture.route('/archive/image', (_req, res) => {
    res.writeHead(302, { location: '/archive/pixel.png', 'cache-control': 'no-store' });
    res.end();
  });
  fixture.route('/archive/pixel.png', (_req, res) => send(res, 'image/png', RED_PIXEL_PNG));
  fixture.route('/archive/font.ttf', (_req, res) => send(res, 'font/ttf', ARCHIVE_FONT));
  fixture.route('/archive/paragraph.json', (_req, res) =>
    send(res, 'application/json', JSON.stringify({ text: XHR_PARAGRAPH })),
  );
  fixture.route('/archive/binary.bin', (_req, res) => send(res, 'application/octet-stream', BINARY_BODY));
  fixture.route('/archive/gzip.txt', (_req, res) =>
    send(res, 'text/plain; charset=utf-8', gzipSync(GZIP_TEXT), { 'content-encoding': 'gzip' }),
  );
  fixture.route('/archive/legacy.txt', (_req, res) => send(res, 'text/plain; charset=windows-1252', LEGACY_TEXT));
  // Charset only in the document: Chromium decodes by the <meta>, the recording must re-encode.
  fixture.route('/archive/legacy-page', (_req, res) =>
    send(res, 'text/html', Buffer.concat([Buffer.from('<!doctype html><meta charset="iso-8859-1"><p>'), LEGACY_TEXT])),
  );
  fixture.route('/archive/large.bin', (_req, res) => send(res, 'application/octet-stream', LARGE_BODY));
  // Sends a first chunk, then nothing until the client goes away (a long poll or a stream).
  fixture.route('/archive/endless', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.write('first chunk of a stream that never ends\n');
  });
  fixture.route('/archive/streaming', (_req, res) =>
    send(
      res,
      'text/html; charset=utf-8',
      '<!doctype html><title>streaming</title><script>fetch("/archive/endless")' +
        '.then((r) => r.body.getReader().read()).then(() => { window.streamStarted = true; })</script>',
    ),
  );
}
