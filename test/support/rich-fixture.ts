/**
 * A fixture page that uses every kind of subresource an archive must keep: a redirect to the
 * page, a stylesheet, a web font, an image and a paragraph loaded by XHR, plus links to pages
 * never captured (one on the fixture origin, one on a canary server that counts its hits).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FixtureServer } from './fixture-server.js';
import { solidPng } from './html-fixture.js';

export const RICH_TITLE = 'Fixture: a page with every kind of resource';
export const XHR_TEXT = 'This paragraph arrived by XHR';
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

function richPage(canaryOrigin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${RICH_TITLE}</title>
<link rel="stylesheet" href="/rich/style.css"></head>
<body><h1>${RICH_TITLE}</h1>
<img id="pic" src="/rich/pic.png" width="120" height="80" alt="a red block">
<p id="xhr-para">waiting</p>
<p><a id="uncaptured" href="/rich/never-captured">a page never captured</a>
<a id="canary" href="${canaryOrigin}/never">a page on another server</a></p>
<script>
  const xhr = new XMLHttpRequest();
  xhr.open('GET', '/rich/data.json');
  xhr.onload = () => { document.getElementById('xhr-para').textContent = JSON.parse(xhr.responseText).text; };
  xhr.send();
</script></body></html>`;
}

/** Adds /rich-start (302 → /rich) and its resources to the fixture server. */
export function addRichPage(fixture: FixtureServer, canaryOrigin: string): void {
  const send = (type: string, body: string | Buffer) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  fixture.route('/rich-start', (_req, res) => {
    res.writeHead(302, { location: '/rich' });
    res.end();
  });
  fixture.route('/rich', send('text/html; charset=utf-8', richPage(canaryOrigin)));
  fixture.route(
    '/rich/style.css',
    send(
      'text/css',
      "@font-face { font-family: Fixture; src: url('/rich/font.ttf') format('truetype'); }\n" +
        'body { font-family: Fixture, serif; background: rgb(250, 240, 200); } h1 { color: rgb(20, 60, 140); }\n',
    ),
  );
  fixture.route('/rich/font.ttf', send('font/ttf', readFileSync(FONT_FILE)));
  fixture.route('/rich/pic.png', send('image/png', solidPng(120, 80, [200, 30, 30])));
  fixture.route('/rich/data.json', send('application/json', JSON.stringify({ text: XHR_TEXT })));
}

/** A server that must never be reached: it only counts. */
export async function startCanary(): Promise<{ origin: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('canary');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
