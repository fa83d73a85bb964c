/**
 * An unchanged page with a 300 KB image (noise, so no compression hides its size): captured
 * again and again, every version is byte-identical to the first but for the dates a capture
 * carries, which is what content-addressed storage (ADR 0017) must not store twice.
 */
import type http from 'node:http';
import type { FixtureServer } from './fixture-server.js';
import { noisePng } from './html-fixture.js';
import { XHR_TEXT } from './rich-fixture.js';

export const STEADY_IMAGE = { width: 320, height: 320 };

export function addSteadyPage(fixture: FixtureServer): Buffer {
  const image = noisePng(STEADY_IMAGE.width, STEADY_IMAGE.height, 'steady');
  const send = (type: string, body: string | Buffer) => (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  fixture.route(
    '/steady',
    send(
      'text/html; charset=utf-8',
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fixture: an unchanged page</title></head>
<body><h1>Nothing changes here</h1><img id="pic" src="/steady/noise.png" width="${STEADY_IMAGE.width}" height="${STEADY_IMAGE.height}" alt="noise">
<p id="xhr-para">${XHR_TEXT}</p></body></html>`,
    ),
  );
  fixture.route('/steady/noise.png', send('image/png', image));
  return image;
}
