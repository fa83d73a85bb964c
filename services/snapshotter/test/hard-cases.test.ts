/**
 * Hard cases of capture fidelity, each a fixture route on 127.0.0.1: infinite scroll, lazy
 * images, alert() on load, a subresource that never answers, 404, a redirect chain, non-HTML
 * targets (PDF, JSON), a 150 MB response (refused while streaming), a Chinese page, an
 * iframe, and peers that reset their connections (plain HTTP and CONNECT) mid-capture. All jobs
 * are enqueued up front; each test awaits its own result.
 */
import assert from 'node:assert/strict';
import type http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { SnapshotResult } from '@linksnap/shared';
import { unzipSync } from 'fflate';
import {
  type FixtureServer,
  SIMPLE_PAGE_TEXT,
  SIMPLE_PAGE_TITLE,
  simplePage,
  startFixtureServer,
} from '../../../test/support/fixture-server.js';
import { imageSize } from '../../../test/support/image-size.js';
import { type SnapshotterHarness, startSnapshotterHarness } from '../../../test/support/snapshotter-harness.js';

const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const MAX_HEIGHT = 6_000;
const MAX_BYTES = 5 * 1024 * 1024;
const HUGE_BYTES = 150 * 1024 * 1024;
const DEFAULT_KINDS = [
  'html',
  'metadata',
  'mhtml',
  'pdf',
  'readable',
  'report',
  'screenshot',
  'text',
  'thumbnail',
  'wacz',
];

/** A small valid PDF (one page, one line of text), with a correct xref table. */
export function tinyPdf(text: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 18 Tf 20 70 Td (${text}) Tj ET`;
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function html(res: http.ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}

/** Streams `total` bytes with back-pressure, stopping as soon as the client goes away. */
function streamBytes(res: http.ServerResponse, total: number, declareLength: boolean): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    ...(declareLength ? { 'content-length': String(total) } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  const pump = () => {
    while (!closed && sent < total) {
      const n = Math.min(chunk.length, total - sent);
      sent += n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    if (!closed) res.end();
  };
  pump();
}

describe('hard capture cases', () => {
  let fixture: FixtureServer;
  let harness: SnapshotterHarness;
  const hanging = new Set<http.ServerResponse>();
  const jobs = new Map<string, string>();
  const startedAt = Date.now();
  let rssBefore = 0;
  let rssPeak = 0;
  let sampler: NodeJS.Timeout | undefined;
  // A loopback peer that resets every connection: at once, or halfway through a response.
  let resetter: net.Server;
  let resetterHost = '';
  const resetterSaw: string[] = [];
  // A socket error nobody listens for is an uncaught exception: it used to end the snapshotter.
  const escaped: unknown[] = [];
  const onEscape = (err: unknown) => escaped.push(err);

  const result = (name: string, timeoutMs = 90_000): Promise<SnapshotResult> =>
    harness.resultOf(jobs.get(name) as string, timeoutMs);
  const json = async (r: SnapshotResult, kind: string) =>
    JSON.parse((await harness.artifact(r, kind)).toString('utf8')) as Record<string, unknown>;
  const kinds = (r: SnapshotResult) => r.artifacts.map((a) => a.kind).sort();

  before(async () => {
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
    fixture = await startFixtureServer();
    resetter = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', (chunk) => {
        const line = chunk.toString('latin1').split('\r\n')[0] as string;
        resetterSaw.push(line);
        if (!line.startsWith('GET /half')) return socket.resetAndDestroy();
        socket.write(
          `HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 100000\r\n\r\n${'x'.repeat(2_000)}`,
        );
        setTimeout(() => socket.resetAndDestroy(), 50);
      });
    });
    await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
    resetterHost = `127.0.0.1:${(resetter.address() as net.AddressInfo).port}`;
    fixture.route('/resets', (_req, res) =>
      html(
        res,
        simplePage('Fixture: peers that reset', 'Every connection this page opens elsewhere is reset').replace(
          '</article>',
          `<img src="http://${resetterHost}/half.png"><img src="http://${resetterHost}/now.png">
<script>new WebSocket('ws://${resetterHost}/ws')</script></article>`,
        ),
      ),
    );
    fixture.route('/infinite', (_req, res) =>
      html(
        res,
        `<!doctype html><html lang="en"><head><title>Infinite feed</title></head><body>
<h1>Infinite feed</h1><div id="feed"></div>
<script>
let n = 0;
function more() { for (let i = 0; i < 20; i++) { const p = document.createElement('p');
  p.style.height = '120px'; p.textContent = 'Feed item number ' + (n++) + ' with some words for the reader.';
  document.getElementById('feed').appendChild(p); } }
more();
window.addEventListener('scroll', () => {
  if (window.innerHeight + window.scrollY > document.body.scrollHeight - 1500) more();
});
</script></body></html>`,
      ),
    );
    fixture.route('/lazy', (_req, res) =>
      html(
        res,
        `<!doctype html><html lang="en"><head><title>Lazy images</title></head><body>
<h1>Lazy images</h1><p>${'Words before the images. '.repeat(40)}</p>
<div style="height:4000px"></div>
<img loading="lazy" src="/img/native.png" width="10" height="10">
<div style="height:2000px"></div>
<img class="io" data-src="/img/observed.png" width="10" height="10">
<script>
const io = new IntersectionObserver((entries) => { for (const e of entries) if (e.isIntersecting) {
  e.target.src = e.target.dataset.src; io.unobserve(e.target); } });
document.querySelectorAll('img.io').forEach((img) => io.observe(img));
</script></body></html>`,
      ),
    );
    for (const name of ['native', 'observed']) {
      fixture.route(`/img/${name}.png`, (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PNG_1PX);
      });
    }
    fixture.route('/alert', (_req, res) =>
      html(
        res,
        simplePage('Fixture: alerts', SIMPLE_PAGE_TEXT).replace(
          '</head>',
          `<script>alert('hello'); confirm('sure?'); window.onbeforeunload = () => 'stay';</script></head>`,
        ),
      ),
    );
    fixture.route('/never-loads', (_req, res) =>
      html(res, simplePage('Fixture: never loads').replace('</article>', '<img src="/hang.png"></article>')),
    );
    fixture.route('/never-ends', (_req, res) => {
      // The document itself never finishes: DOMContentLoaded never comes.
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.write(
        simplePage('Fixture: never ends', 'This document keeps its connection open forever').replace(
          '</article></body></html>',
          '</article>',
        ),
      );
      hanging.add(res);
    });
    fixture.route('/hang.png', (_req, res) => {
      hanging.add(res);
    });
    fixture.route('/r1', (_req, res) => {
      res.writeHead(301, { location: '/r2' });
      res.end();
    });
    fixture.route('/r2', (_req, res) => {
      res.writeHead(302, { location: fixture.url('/r3') });
      res.end();
    });
    fixture.route('/r3', (_req, res) => {
      res.writeHead(307, { location: '/simple' });
      res.end();
    });
    fixture.route('/doc.pdf', (_req, res) => {
      const pdf = tinyPdf('Hello PDF fixture');
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(pdf.length) });
      res.end(pdf);
    });
    fixture.route('/data.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hello: 'json fixture', items: [1, 2, 3] }));
    });
    fixture.route('/pic.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(PNG_1PX.length) });
      res.end(PNG_1PX);
    });
    fixture.route('/notes.txt', (_req, res) => {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Service unavailable, but still a page worth keeping.');
    });
    fixture.route('/huge-declared', (_req, res) => streamBytes(res, HUGE_BYTES, true));
    fixture.route('/huge-chunked', (_req, res) => streamBytes(res, HUGE_BYTES, false));
    fixture.route('/zh', (_req, res) =>
      html(
        res,
        `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>网页快照测试</title>
<link rel="icon" href="/icon.png"></head>
<body><article><h1>网页快照测试</h1>
<p>这是一个用于测试网页快照的中文页面。快照应当完整保留页面上的文字内容，包括标点符号和段落结构。</p>
<p>第二段：阅读模式需要足够长的正文，因此这里多写几句话。天气很好，我们去公园散步，然后回家写代码。</p>
<p>第三段：如果你能在文本中找到这句话，说明中文文本提取工作正常。</p></article></body></html>`,
      ),
    );
    fixture.route('/icon.png', (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG_1PX);
    });
    fixture.route('/with-iframe', (_req, res) =>
      html(
        res,
        simplePage('Fixture: with an iframe', 'The outer page talks about its embedded frame').replace(
          '</article>',
          '<iframe src="/simple" width="600" height="300"></iframe><img src="http://assets.external.test/pic.png"></article>',
        ),
      ),
    );

    harness = await startSnapshotterHarness({
      allow: [fixture.hostPort, resetterHost],
      extra: {
        CAPTURE_ATTEMPTS: '1',
        CAPTURE_TIMEOUT_MS: '30000',
        CAPTURE_MAX_HEIGHT_PX: String(MAX_HEIGHT),
        CAPTURE_MAX_BYTES: String(MAX_BYTES),
      },
    });
    rssBefore = process.memoryUsage().rss;
    sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    // Resets first, then a plain page: the capture after them still works.
    jobs.set('reset-document', await harness.enqueue(`http://${resetterHost}/now`));
    for (const path of [
      '/resets',
      '/simple',
      '/huge-declared',
      '/huge-chunked',
      '/infinite',
      '/lazy',
      '/alert',
      '/never-loads',
      '/never-ends',
      '/not-found',
      '/r1',
      '/doc.pdf',
      '/data.json',
      '/pic.png',
      '/notes.txt',
      '/zh',
      '/with-iframe',
    ]) {
      jobs.set(path, await harness.enqueue(fixture.url(path)));
    }
  });

  after(async () => {
    clearInterval(sampler);
    for (const res of hanging) res.destroy();
    await harness?.close();
    await fixture?.close();
    await new Promise<void>((resolve) => (resetter ? resetter.close(() => resolve()) : resolve()));
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });

  test('a 150 MB response with Content-Length is refused with CONTENT_TOO_LARGE', async () => {
    const r = await result('/huge-declared');
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'CONTENT_TOO_LARGE');
    assert.equal(r.attempts, 1);
  });

  test('a 150 MB chunked response is refused while streaming, without exhausting memory', async () => {
    const r = await result('/huge-chunked');
    assert.equal(r.status, 'failed');
    assert.equal(r.error?.code, 'CONTENT_TOO_LARGE');
    // The worker read at most about MAX_BYTES of it before giving up.
    assert.ok(rssPeak - rssBefore < 120 * 1024 * 1024, `rss grew by ${(rssPeak - rssBefore) / 1048576} MB`);
  });

  test('infinite scroll ends: bounded scroll, screenshot cut at the height limit', async () => {
    const r = await result('/infinite');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.deepEqual(kinds(r), DEFAULT_KINDS);
    const { height } = imageSize(await harness.artifact(r, 'screenshot'));
    assert.ok(height <= MAX_HEIGHT, `screenshot height ${height}`);
    const report = await json(r, 'report');
    const shot = report.screenshot as { cut: boolean; pageHeight: number };
    assert.equal(shot.cut, shot.pageHeight > MAX_HEIGHT);
    assert.equal(r.report?.cut, shot.cut);
    assert.ok((report.settle as { steps: number }).steps > 3, 'the page was scrolled');
  });

  test('lazy images are triggered (native loading=lazy and IntersectionObserver)', async () => {
    const r = await result('/lazy');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.ok((fixture.hits.get('/img/native.png') ?? 0) > 0, 'native lazy image loaded');
    assert.ok((fixture.hits.get('/img/observed.png') ?? 0) > 0, 'observer lazy image loaded');
    const thumb = await harness.artifact(r, 'thumbnail');
    assert.equal(imageSize(thumb).format, 'webp', 'thumbnail is a WebP');
  });

  test('alert() and confirm() on load are dismissed', async () => {
    const r = await result('/alert');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.ok(r.text?.includes(SIMPLE_PAGE_TEXT));
  });

  test('a page that never fires load still yields every artifact, quickly', async () => {
    const r = await result('/never-loads');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.error ?? r.missing));
    assert.deepEqual(kinds(r), DEFAULT_KINDS);
    assert.ok(Date.parse(r.finishedAt) - Date.parse(r.startedAt as string) < 20_000, JSON.stringify(r.timings));
  });

  test('a document that never finishes still yields screenshot and html', async () => {
    const r = await result('/never-ends');
    assert.notEqual(r.status, 'failed', JSON.stringify(r.error));
    const got = kinds(r);
    assert.ok(got.includes('screenshot') && got.includes('html'), got.join());
    assert.equal(r.report?.navigationTimedOut, true);
    const html = (await harness.artifact(r, 'html')).toString('utf8');
    assert.ok(html.includes('This document keeps its connection open forever'));
    assert.ok(Date.parse(r.finishedAt) - Date.parse(r.startedAt as string) < 30_000, JSON.stringify(r.timings));
  });

  test('a 404 page is captured with its status', async () => {
    const r = await result('/not-found');
    assert.equal(r.status, 'succeeded');
    assert.equal(r.httpStatus, 404);
    assert.equal((await json(r, 'metadata')).httpStatus, 404);
  });

  test('a redirect chain of three hops ends on the final URL', async () => {
    const r = await result('/r1');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.equal(r.finalUrl, fixture.url('/simple'));
    assert.equal(r.title, SIMPLE_PAGE_TITLE);
    assert.equal((await json(r, 'metadata')).finalUrl, fixture.url('/simple'));
    const report = await json(r, 'report');
    assert.equal((report.redirects as string[]).at(-1), fixture.url('/simple'));
  });

  test('a PDF URL is stored as downloaded, with metadata', async () => {
    const r = await result('/doc.pdf');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.deepEqual(kinds(r), ['metadata', 'original', 'report', 'wacz']);
    const original = r.artifacts.find((a) => a.kind === 'original');
    assert.equal(original?.contentType, 'application/pdf');
    assert.equal(original?.key, `blobs/sha256/${original?.sha256}`, 'stored by its content (ADR 0017)');
    const body = await harness.artifact(r, 'original');
    assert.deepEqual(body, tinyPdf('Hello PDF fixture'));
    // The archive holds the PDF itself, not the placeholder Chromium was shown instead.
    const wacz = unzipSync(await harness.artifact(r, 'wacz'));
    const warc = gunzipSync(wacz['archive/data.warc.gz'] as Uint8Array);
    assert.ok(warc.includes(tinyPdf('Hello PDF fixture')), 'the WARC holds the PDF');
    assert.equal(r.contentType, 'application/pdf');
    assert.equal((await json(r, 'metadata')).contentType, 'application/pdf');
  });

  test('a JSON URL is stored as downloaded and screenshotted as Chromium shows it', async () => {
    const r = await result('/data.json');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.deepEqual(kinds(r), ['metadata', 'original', 'report', 'screenshot', 'thumbnail', 'wacz']);
    const body = await harness.artifact(r, 'original');
    assert.equal(JSON.parse(body.toString('utf8')).hello, 'json fixture');
    assert.equal(r.artifacts.find((a) => a.kind === 'original')?.contentType, 'application/json');
  });

  test('an image URL is stored as downloaded, with its real content type', async () => {
    const r = await result('/pic.png');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.ok(kinds(r).includes('original') && kinds(r).includes('screenshot'), kinds(r).join());
    assert.deepEqual(await harness.artifact(r, 'original'), PNG_1PX);
    assert.equal(r.artifacts.find((a) => a.kind === 'original')?.contentType, 'image/png');
  });

  test('an upstream 503 is still captured, with its status', async () => {
    const r = await result('/notes.txt');
    assert.notEqual(r.status, 'failed', JSON.stringify(r.error));
    assert.equal(r.httpStatus, 503);
    assert.ok(kinds(r).includes('screenshot'), kinds(r).join());
  });

  test('a Chinese page keeps its language and text', async () => {
    const r = await result('/zh');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    assert.equal(r.lang, 'zh-CN');
    assert.equal(r.title, '网页快照测试');
    assert.ok(r.text?.includes('中文文本提取工作正常'), r.text ?? '');
    const text = (await harness.artifact(r, 'text')).toString('utf8');
    assert.ok(text.includes('说明中文文本提取工作正常'));
  });

  test('the favicon is kept as an object; a page without a usable icon loses nothing', async () => {
    const r = await result('/zh');
    const icon = r.artifacts.find((a) => a.kind === 'favicon');
    assert.ok(icon, JSON.stringify(r.artifacts.map((a) => a.kind)));
    assert.equal(icon.contentType, 'image/png');
    assert.equal(icon.key, `blobs/sha256/${icon.sha256}`, 'stored by its content (ADR 0017)');
    assert.deepEqual(await harness.artifact(r, 'favicon'), PNG_1PX);
    // /with-iframe has no icon link and the fixture's /favicon.ico is a text 404: no artifact, no gap.
    const plain = await result('/with-iframe');
    assert.equal(plain.status, 'succeeded', JSON.stringify(plain.missing));
    assert.equal(
      plain.artifacts.some((a) => a.kind === 'favicon'),
      false,
    );
  });

  test('a page with an iframe keeps the frame in the MHTML archive', async () => {
    const r = await result('/with-iframe');
    assert.equal(r.status, 'succeeded', JSON.stringify(r.missing));
    const mhtml = (await harness.artifact(r, 'mhtml')).toString('utf8').replace(/=\r?\n/g, '');
    assert.ok(mhtml.includes(SIMPLE_PAGE_TEXT), 'the framed page is in the archive');
    assert.ok(mhtml.includes('The outer page talks about its embedded frame'));
  });

  test('the report lists requests that failed or were blocked, with reasons', async () => {
    const r = await result('/with-iframe');
    const report = await json(r, 'report');
    const failed = report.failedRequests as { url: string; reason: string }[];
    assert.ok(
      failed.some((f) => f.url.startsWith('http://assets.external.test/')),
      JSON.stringify(failed),
    );
    const blocked = report.blockedRequests as { target: string; outcome: string; code: string }[];
    assert.ok(
      // Refused by the proxy: DNS_FAILED in production, SSRF_BLOCKED under the tests' allow-list-only mode.
      blocked.some((b) => b.target.includes('assets.external.test') && ['dns_failed', 'blocked'].includes(b.outcome)),
      JSON.stringify(blocked),
    );
    assert.ok((r.report?.blockedRequests ?? 0) >= 1 && (r.report?.requests ?? 0) >= 3);
    const timings = report.timings as Record<string, number>;
    for (const stage of ['navigate', 'settle', 'screenshot', 'thumbnail', 'pdf', 'mhtml', 'html', 'text']) {
      assert.equal(typeof timings[stage], 'number', stage);
    }
  });

  test('peers resetting mid-response, over plain HTTP and CONNECT, fail only their own requests', async () => {
    const page = await result('/resets');
    assert.equal(page.status, 'succeeded');
    assert.equal(page.title, 'Fixture: peers that reset');
    // Each path of the proxy met its reset: a half-sent image, a refused one, a tunnelled WebSocket.
    for (const line of ['GET /half.png', 'GET /now.png', 'GET /ws']) {
      assert.ok(
        resetterSaw.some((l) => l.startsWith(line)),
        resetterSaw.join(' | '),
      );
    }
    const direct = await result('reset-document');
    assert.equal(direct.status, 'failed');
    assert.equal(direct.error?.code, 'CONNECTION_FAILED');
    const next = await result('/simple');
    assert.equal(next.status, 'succeeded');
    assert.equal(next.title, SIMPLE_PAGE_TITLE);
    assert.deepEqual(escaped, []);
  });

  test('the whole set finished in reasonable time', () => {
    assert.ok(Date.now() - startedAt < 150_000);
  });
});
