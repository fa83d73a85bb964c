/**
 * Fixture pages for the self-contained html artifact (beside archive-fixture.ts, which serves
 * the recorder's page), served by the fixture server: a page
 * reached through a redirect, with an image (itself behind a redirect), a stylesheet that
 * @imports another, a web font, a CSS background and a paragraph loaded by XHR; and a hostile
 * page whose every trick points at a canary listener that must never be contacted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import type { FixtureServer } from './fixture-server.js';

export const ARCHIVE_FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
export const XHR_TEXT = 'This paragraph arrived by XHR after the page loaded';
export const STYLED_COLOR = 'rgb(12, 34, 56)';
export const IMAGE_SIZE = { width: 40, height: 30 };

/** An RGB PNG of raw scanlines (each led by filter byte 0), encoded here: no image library. */
function encodePng(width: number, height: number, scanlines: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(scanlines)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A solid-colour PNG. */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => rgb[i % 3] as number)]);
  return encodePng(width, height, Buffer.concat(Array.from({ length: height }, () => row)));
}

/**
 * A PNG of deterministic noise, which deflate cannot shrink: about width × height × 3 bytes
 * (a "large image" whose bytes are the same on every request).
 */
export function noisePng(width: number, height: number, seed = 'noise'): Buffer {
  const rowBytes = width * 3 + 1;
  const scanlines = Buffer.alloc(rowBytes * height);
  let block = Buffer.alloc(0);
  for (let offset = 0, n = 0; offset < scanlines.length; offset += block.length, n++) {
    block = createHash('sha256').update(`${seed}:${n}`).digest();
    block.copy(scanlines, offset);
  }
  for (let y = 0; y < height; y++) scanlines[y * rowBytes] = 0;
  return encodePng(width, height, scanlines);
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fixture: a page to make self-contained</title>
<link rel="stylesheet" href="css/site.css">
<link rel="icon" href="/selfcontained/icon.png">
<link rel="preload" href="/selfcontained/never-used.js" as="script">
</head><body>
<h1 id="title">Archived heading</h1>
<img id="photo" alt="photo" src="/selfcontained/old-photo.png" srcset="/selfcontained/old-photo.png 1x, /selfcontained/never-fetched.png 9x">
<div id="banner">banner with a background image</div>
<p id="xhr">loading…</p>
<form><input id="name" value="original"><textarea id="notes">before</textarea></form>
<script>
  const xhr = new XMLHttpRequest();
  xhr.open('GET', '/selfcontained/paragraph.txt');
  xhr.onload = () => { document.getElementById('xhr').textContent = xhr.responseText; };
  xhr.send();
  document.getElementById('name').value = 'typed by script';
  document.getElementById('notes').value = 'edited';
</script>
</body></html>`;

const SITE_CSS = `@import url("theme.css") screen;
@font-face { font-family: "ArchiveFont"; src: url("../fonts/archive.ttf") format("truetype"); }
h1 { font-family: "ArchiveFont", serif; }
#banner { background-image: url(/selfcontained/banner.png); height: 20px; }`;
const THEME_CSS = `h1 { color: ${STYLED_COLOR}; }`;

function send(res: import('node:http').ServerResponse, type: string, body: string | Buffer): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function redirect(res: import('node:http').ServerResponse, location: string): void {
  res.writeHead(302, { location });
  res.end();
}

/** Adds the page under /selfcontained/ (entry point: /selfcontained/start, a redirect to the page). */
export function routeSelfContainedPage(fixture: FixtureServer): void {
  const photo = solidPng(IMAGE_SIZE.width, IMAGE_SIZE.height, [200, 30, 30]);
  fixture.route('/selfcontained/start', (_req, res) => redirect(res, '/selfcontained/page'));
  fixture.route('/selfcontained/page', (_req, res) => send(res, 'text/html; charset=utf-8', PAGE));
  fixture.route('/selfcontained/css/site.css', (_req, res) => send(res, 'text/css', SITE_CSS));
  fixture.route('/selfcontained/css/theme.css', (_req, res) => send(res, 'text/css; charset=utf-8', THEME_CSS));
  fixture.route('/selfcontained/fonts/archive.ttf', (_req, res) =>
    send(res, 'font/ttf', readFileSync(ARCHIVE_FONT_FILE)),
  );
  fixture.route('/selfcontained/old-photo.png', (_req, res) => redirect(res, '/selfcontained/photo.png'));
  fixture.route('/selfcontained/photo.png', (_req, res) => send(res, 'image/png', photo));
  fixture.route('/selfcontained/banner.png', (_req, res) => send(res, 'image/png', solidPng(8, 8, [10, 200, 10])));
  fixture.route('/selfcontained/icon.png', (_req, res) => send(res, 'image/png', solidPng(16, 16, [0, 0, 200])));
  fixture.route('/selfcontained/paragraph.txt', (_req, res) => send(res, 'text/plain; charset=utf-8', XHR_TEXT));
}

/**
 * A page whose markup tries every way of running code or calling out, all aimed at `canary`.
 * The plain refresh waits `refreshSeconds`, so that a capture can finish before it fires; the
 * one in <noscript> fires at once wherever scripting is off, as in the archive's sandbox.
 */
export function hostilePage(canary: string, refreshSeconds = 0): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Fixture: hostile</title>
<base href="${canary}/base/">
<meta http-equiv="refresh" content="${refreshSeconds}; url=${canary}/refresh">
<noscript><meta http-equiv="refresh" content="0; url=${canary}/noscript-refresh"></noscript>
<link rel="stylesheet" href="${canary}/style.css">
<link rel="prefetch" href="${canary}/prefetch">
<link rel="dns-prefetch" href="${canary}">
<style>@import "${canary}/import.css"; body { background: url(${canary}/bg.png); }</style>
<script src="${canary}/script.js"></script>
<script>fetch('${canary}/inline-script');</script>
</head><body onload="fetch('${canary}/onload')">
<h1>Hostile page</h1>
<img src="relative-image.png" onerror="fetch('${canary}/onerror')">
<img src="x:broken" onerror="new Image().src='${canary}/onerror2'">
<a id="js" href="javascript:fetch('${canary}/js')">click</a>
<a id="ping" href="#top" ping="${canary}/ping">ping</a>
<iframe src="${canary}/frame"></iframe>
<iframe srcdoc="<img src='${canary}/srcdoc.png'>"></iframe>
<object data="${canary}/object"></object>
<embed src="${canary}/embed">
<video poster="${canary}/poster.png" src="${canary}/video.mp4"></video>
<svg><image href="${canary}/svg-image.png" width="5" height="5"/><use href="${canary}/sprite.svg#icon"/></svg>
<div style="background-image: url('${canary}/inline-style.png')">styled</div>
<form action="javascript:fetch('${canary}/form')"><button formaction="${canary}/formaction">go</button></form>
</body></html>`;
}

/** A TCP listener on 127.0.0.1 that counts every connection made to it. */
export async function startCanary(): Promise<{
  origin: string;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
