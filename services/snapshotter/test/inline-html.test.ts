/**
 * The inliner on real bytes: every resource is downloaded once from the fixture server into a
 * Recording (redirects as 3xx exchanges, as the recorder keeps them), then the page's markup
 * is made self-contained from it. Asserts on the output document: what is inlined decodes to
 * exactly the bytes served, and nothing that could reach the network or run code is left.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { type DefaultTreeAdapterMap, defaultTreeAdapter as dom, parse } from 'parse5';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import {
  ARCHIVE_FONT_FILE,
  hostilePage,
  routeSelfContainedPage,
  STYLED_COLOR,
  solidPng,
} from '../../../test/support/html-fixture.js';
import { selfContainedHtml } from '../src/capture/html.js';
import { followingRedirects } from '../src/capture/inline/resources.js';
import { recordingOf } from '../src/capture/recorder.js';
import type { RecordedExchange } from '../src/capture/recording.types.js';

type Element = DefaultTreeAdapterMap['element'];

/** Downloads `url` as the page did (following redirects), one exchange per response. */
async function download(url: string, into: RecordedExchange[]): Promise<void> {
  let current = url;
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetch(current, { redirect: 'manual' });
    const headers = Object.fromEntries(res.headers);
    into.push({
      url: current,
      method: 'GET',
      requestHeaders: {},
      status: res.status,
      statusText: res.statusText,
      responseHeaders: headers,
      mimeType: (headers['content-type'] ?? '').split(';')[0]?.trim() ?? '',
      body: Buffer.from(await res.arrayBuffer()),
      truncated: null,
      resourceType: 'Other',
      startedAt: new Date(),
    });
    if (!headers.location) return;
    current = new URL(headers.location, current).href;
  }
}

function elements(node: DefaultTreeAdapterMap['parentNode'], found: Element[] = []): Element[] {
  for (const child of node.childNodes) {
    if (!dom.isElementNode(child)) continue;
    found.push(child);
    elements(child, found);
  }
  return found;
}

const textOf = (element: Element | undefined) =>
  element?.childNodes.map((c) => (dom.isTextNode(c) ? c.value : '')).join('') ?? '';
const attr = (element: Element | undefined, name: string) => element?.attrs.find((a) => a.name === name)?.value;
const byId = (all: Element[], id: string) => all.find((e) => attr(e, 'id') === id);
const decodeDataUrl = (url: string) => Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');

describe('self-contained html from a recording', () => {
  let fixture: FixtureServer;
  let exchanges: RecordedExchange[];

  before(async () => {
    fixture = await startFixtureServer();
    routeSelfContainedPage(fixture);
    exchanges = [];
    for (const path of [
      '/selfcontained/start',
      '/selfcontained/css/site.css',
      '/selfcontained/css/theme.css',
      '/selfcontained/fonts/archive.ttf',
      '/selfcontained/old-photo.png',
      '/selfcontained/banner.png',
      '/selfcontained/icon.png',
    ]) {
      await download(fixture.url(path), exchanges);
    }
  });
  after(() => fixture?.close());

  const inlinedPage = () => {
    const recording = followingRedirects(recordingOf(exchanges));
    const page = recording.find(fixture.url('/selfcontained/start'));
    assert.ok(page, 'the page is found through its redirect');
    return selfContainedHtml(page.body.toString('utf8'), page.url, recording);
  };

  test('inlines images behind redirects, stylesheets, imports, fonts and backgrounds byte for byte', () => {
    const { body, stats } = inlinedPage();
    const html = body.toString('utf8');
    const all = elements(parse(html));
    const photo = attr(byId(all, 'photo'), 'src') ?? '';
    assert.match(photo, /^data:image\/png;base64,/);
    assert.deepEqual(decodeDataUrl(photo), solidPng(40, 30, [200, 30, 30]));
    assert.equal(attr(byId(all, 'photo'), 'srcset'), `${photo} 1x`, 'the candidate never fetched is dropped');

    const style = all.find((e) => e.tagName === 'style');
    const css = textOf(style);
    const font = /src: url\("(data:font\/ttf;base64,[^"]+)"\)/.exec(css)?.[1] ?? '';
    assert.deepEqual(decodeDataUrl(font), readFileSync(ARCHIVE_FONT_FILE));
    const imported = /@import url\("(data:text\/css;base64,[^"]+)"\) screen;/.exec(css)?.[1] ?? '';
    assert.equal(decodeDataUrl(imported).toString('utf8'), `h1 { color: ${STYLED_COLOR}; }`);
    const banner = /background-image: url\("(data:image\/png;base64,[^"]+)"\)/.exec(css)?.[1] ?? '';
    assert.deepEqual(decodeDataUrl(banner), solidPng(8, 8, [10, 200, 10]));

    const icon = all.find((e) => attr(e, 'rel') === 'icon');
    assert.match(attr(icon, 'href') ?? '', /^data:image\/png;base64,/);
    assert.equal(all.filter((e) => ['script', 'link'].includes(e.tagName) && attr(e, 'rel') !== 'icon').length, 0);
    assert.equal(
      attr(
        all.find((e) => e.tagName === 'meta'),
        'charset',
      ),
      'utf-8',
      'UTF-8 is declared first',
    );
    assert.ok(!html.includes(fixture.origin), 'no URL of the live site is left');
    assert.ok(stats.inlined >= 6, `inlined ${stats.inlined}`);
  });

  test('leaves nothing of a hostile page that could run code or reach the network', () => {
    const canary = 'http://127.0.0.1:9';
    const pageUrl = fixture.url('/hostile');
    const { body } = selfContainedHtml(hostilePage(canary), pageUrl, followingRedirects(recordingOf([])));
    const html = body.toString('utf8');
    assert.ok(!html.includes(canary), `the canary's origin is gone:\n${html}`);
    assert.doesNotMatch(html, /<script|<base|http-equiv|javascript:|\son[a-z]+=/i);
    const all = elements(parse(html));
    assert.equal(attr(byId(all, 'js'), 'href'), '#');
    assert.equal(attr(byId(all, 'ping'), 'ping'), undefined);
    for (const frame of all.filter((e) => e.tagName === 'iframe')) assert.deepEqual(frame.attrs, []);
    assert.equal(
      attr(
        all.find((e) => e.tagName === 'img'),
        'src',
      ),
      'data:,',
      'an unrecorded image loads nothing',
    );
  });

  test('keeps a linked stylesheet that contains </style> inside its <style> element', async () => {
    fixture.route('/evil.css', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end('a::after { content: "</style><script>alert(1)</script>"; }');
    });
    const recorded: RecordedExchange[] = [];
    await download(fixture.url('/evil.css'), recorded);
    const markup = '<link rel="stylesheet" href="/evil.css"><p>x</p>';
    const { body } = selfContainedHtml(markup, fixture.url('/x'), recordingOf(recorded));
    const all = elements(parse(body.toString('utf8')));
    assert.equal(all.filter((e) => e.tagName === 'script').length, 0);
    const style = all.find((e) => e.tagName === 'style');
    assert.match(textOf(style), /content: "<\\\/style><script>alert\(1\)<\/script>"/, 'the CSS string is intact');
  });

  test('makes relative links absolute, since the base and the original URL are gone', () => {
    const markup = '<base href="/docs/"><a id="a" href="next.html#part">next</a><a id="b" href="#top">top</a>';
    const { body } = selfContainedHtml(markup, fixture.url('/docs/'), recordingOf([]));
    const all = elements(parse(body.toString('utf8')));
    assert.equal(attr(byId(all, 'a'), 'href'), fixture.url('/docs/next.html#part'));
    assert.equal(attr(byId(all, 'b'), 'href'), '#top');
  });
});
