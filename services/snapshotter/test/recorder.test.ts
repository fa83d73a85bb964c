/**
 * The recorder against real Chromium and the archive fixture on 127.0.0.1: every exchange is
 * kept in request order with its headers, redirects as 3xx exchanges, bodies byte-exact after
 * content decoding, a body over the cap cut and marked, a never-ending stream cut at stop.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';
import {
  ARCHIVE_COMPLETE,
  ARCHIVE_CSS,
  ARCHIVE_FONT,
  addArchiveRoutes,
  BINARY_BODY,
  GZIP_TEXT,
  LARGE_BODY,
  LEGACY_TEXT,
  RECORD_CAP_FOR_TESTS,
  RED_PIXEL_PNG,
  XHR_PARAGRAPH,
} from '../../../test/support/archive-fixture.js';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { CHROMIUM_ARGS } from '../src/browser-pool.js';
import { type Recording, startRecording } from '../src/capture/recorder.js';

describe('recorder', () => {
  let fixture: FixtureServer;
  let browser: Browser;

  before(async () => {
    fixture = await startFixtureServer();
    addArchiveRoutes(fixture);
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
    });
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  async function record(
    path: string,
    until: string,
    { bodyCap = RECORD_CAP_FOR_TESTS, totalCap = 10 * 1024 * 1024 } = {},
  ): Promise<Recording> {
    const page = await browser.newPage();
    try {
      const recorder = await startRecording(page, { maxBodyBytes: bodyCap, maxTotalBytes: totalCap });
      await page.goto(fixture.url(path), { waitUntil: 'load' });
      await page.waitForFunction(until, { timeout: 5_000 });
      return await recorder.stop();
    } finally {
      await page.close();
    }
  }

  test('records the page and every subresource, in order, byte-exact', async () => {
    const recording = await record('/archive/page', ARCHIVE_COMPLETE, { bodyCap: 1024 * 1024 });
    const paths = recording.exchanges().map((e) => `${e.status} ${new URL(e.url).pathname}`);
    for (const expected of [
      '200 /archive/page',
      '200 /archive/style.css',
      '302 /archive/image',
      '200 /archive/pixel.png',
      '200 /archive/font.ttf',
      '200 /archive/paragraph.json',
    ]) {
      assert.ok(paths.includes(expected), `${expected} in ${paths.join(', ')}`);
    }
    assert.ok(paths.indexOf('200 /archive/page') < paths.indexOf('200 /archive/style.css'));
    assert.ok(paths.indexOf('302 /archive/image') < paths.indexOf('200 /archive/pixel.png'));

    const redirect = recording.exchanges().find((e) => e.status === 302);
    assert.equal(redirect?.responseHeaders.location, '/archive/pixel.png');
    assert.equal(redirect?.body.length, 0);
    assert.equal(recording.find(fixture.url('/archive/image')), undefined, 'a redirect is not a 2xx');

    const page = recording.find(`${fixture.url('/archive/page')}#fragment`);
    assert.equal(page?.resourceType, 'Document');
    assert.equal(page?.mimeType, 'text/html');
    assert.equal(page?.method, 'GET');
    assert.match(page?.requestHeaders['user-agent'] ?? '', /Chrome/);
    assert.match(page?.body.toString('utf8') ?? '', /<title>Fixture: an archived page<\/title>/);

    assert.deepEqual(recording.find(fixture.url('/archive/pixel.png'))?.body, RED_PIXEL_PNG);
    assert.equal(recording.find(fixture.url('/archive/pixel.png'))?.resourceType, 'Image');
    assert.equal(recording.find(fixture.url('/archive/style.css'))?.body.toString('utf8'), ARCHIVE_CSS);
    assert.equal(recording.find(fixture.url('/archive/style.css'))?.resourceType, 'Stylesheet');
    assert.deepEqual(recording.find(fixture.url('/archive/font.ttf'))?.body, ARCHIVE_FONT);
    assert.equal(recording.find(fixture.url('/archive/font.ttf'))?.resourceType, 'Font');
    const xhr = recording.find(fixture.url('/archive/paragraph.json'));
    assert.equal(xhr?.resourceType, 'XHR');
    assert.equal(JSON.parse(xhr?.body.toString('utf8') ?? '{}').text, XHR_PARAGRAPH);
  });

  test('stores gzip-encoded and binary bodies byte-exact and cuts a body over the cap', async () => {
    const recording = await record('/archive/page', ARCHIVE_COMPLETE);
    const binary = recording.find(fixture.url('/archive/binary.bin'));
    assert.deepEqual(binary?.body, BINARY_BODY);
    assert.equal(binary?.truncated, null);
    assert.deepEqual(recording.find(fixture.url('/archive/legacy.txt'))?.body, LEGACY_TEXT);
    const gzip = recording.find(fixture.url('/archive/gzip.txt'));
    assert.equal(gzip?.responseHeaders['content-encoding'], 'gzip');
    assert.equal(gzip?.body.toString('utf8'), GZIP_TEXT);
    const large = recording.find(fixture.url('/archive/large.bin'));
    assert.equal(large?.truncated, 'length');
    assert.deepEqual(large?.body, LARGE_BODY.subarray(0, RECORD_CAP_FOR_TESTS));
  });

  test('a document in a legacy charset declared only by <meta> is stored byte-exact', async () => {
    const recording = await record('/archive/legacy-page', `document.readyState === 'complete'`);
    const body = recording.find(fixture.url('/archive/legacy-page'))?.body;
    assert.deepEqual(body?.subarray(body.length - LEGACY_TEXT.length), LEGACY_TEXT);
  });

  test('the total cap cuts later bodies', async () => {
    const recording = await record('/archive/page', ARCHIVE_COMPLETE, { totalCap: 2_000 });
    const total = recording.exchanges().reduce((sum, e) => sum + e.body.length, 0);
    assert.ok(total <= 2_000, `${total} bytes kept`);
    assert.ok(recording.exchanges().some((e) => e.truncated === 'length'));
  });

  test('a response still streaming when the recording stops is kept as far as it came', async () => {
    const recording = await record('/archive/streaming', 'window.streamStarted === true');
    const endless = recording.exchanges().find((e) => e.url.endsWith('/archive/endless'));
    assert.equal(endless?.status, 200);
    assert.equal(endless?.truncated, 'time');
    assert.equal(endless?.body.toString('utf8'), 'first chunk of a stream that never ends\n');
  });
});
