import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

// Kept without a .html extension so the linter does not parse the (deliberately sloppy) markup.
const fixture = readFileSync(new URL('./fixtures/bookmarks-firefox.bookmarks', import.meta.url), 'utf8');

interface Listed {
  id: string;
  url: string;
  title: string | null;
  createdAt: string;
  tags: { name: string }[];
  latestSnapshot: { id: string };
}

describe('bookmark import and export', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const importFile = (token: string, body: string, contentType = 'text/html') =>
    h.api.app.inject({
      method: 'POST',
      url: '/v1/import',
      headers: { ...bearer(token), 'content-type': contentType },
      payload: body,
    });
  const listAll = async (token: string): Promise<Listed[]> =>
    (await h.api.app.inject({ method: 'GET', url: '/v1/links?limit=200', headers: bearer(token) })).json().items;
  const summary = (items: Listed[]) =>
    items
      .map((i) => ({ url: i.url, title: i.title, createdAt: i.createdAt, tags: i.tags.map((t) => t.name).sort() }))
      .sort((a, b) => a.url.localeCompare(b.url));

  it('imports a browser export: folders and TAGS become tags, ADD_DATE is kept, duplicates skipped', async () => {
    const user = await h.signup();
    const res = await importFile(user.token, fixture);
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json();
    assert.equal(report.created, 5);
    assert.equal(report.duplicates, 1);
    assert.deepEqual(
      report.invalid.map((i: { url: string; reason: string }) => i.reason),
      ['INVALID_URL', 'INVALID_URL', 'SSRF_BLOCKED'],
    );
    const items = await listAll(user.token);
    const byTitle = new Map(items.map((i) => [i.title, i]));
    const docs = byTitle.get('Getting started & setup');
    assert.deepEqual(docs?.tags.map((t) => t.name).sort(), ['Reference', 'docs']);
    assert.equal(docs?.createdAt, '2021-01-01T00:00:00.000Z');
    assert.deepEqual(
      byTitle
        .get('全文搜索 — PostgreSQL')
        ?.tags.map((t) => t.name)
        .sort(),
      ['Programming', '数据库'],
    );
    assert.deepEqual(byTitle.get("Today's news")?.tags, [], 'the toolbar root is not a tag');
    assert.deepEqual(
      byTitle.get('Sourdough bread')?.tags.map((t) => t.name),
      ['Recipes'],
    );
    // Imported captures wait behind interactive ones.
    const job = await h.queue(SNAPSHOTS_QUEUE).getJob(byTitle.get('The Rust Book')?.latestSnapshot.id as string);
    assert.ok(job && (job.opts.priority ?? 0) > 0);

    const again = (await importFile(user.token, fixture)).json();
    assert.equal(again.created, 0);
    assert.equal(again.duplicates, 6);
  });

  it('exports Netscape HTML that recreates the same links and tags in a fresh account', async () => {
    const user = await h.signup();
    await importFile(user.token, fixture);
    const exported = await h.api.app.inject({ method: 'GET', url: '/v1/export', headers: bearer(user.token) });
    assert.equal(exported.statusCode, 200);
    assert.match(String(exported.headers['content-type']), /^text\/html/);
    assert.match(exported.body, /^<!DOCTYPE NETSCAPE-Bookmark-file-1>/);
    assert.match(exported.body, /ADD_DATE="1609459200"/);
    const fresh = await h.signup();
    const report = (await importFile(fresh.token, exported.body)).json();
    assert.deepEqual(report, { created: 5, duplicates: 0, invalid: [] });
    assert.deepEqual(summary(await listAll(fresh.token)), summary(await listAll(user.token)));
  });

  it('accepts the file as a multipart upload', async () => {
    const user = await h.signup();
    const boundary = 'linksnap-boundary';
    const body = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="file"; filename="bookmarks.html"',
      'Content-Type: text/html',
      '',
      fixture,
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const res = await importFile(user.token, body, `multipart/form-data; boundary=${boundary}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().created, 5);
  });

  it('rejects a file without bookmarks, the wrong type and a body over 10 MB, creating nothing', async () => {
    const user = await h.signup();
    for (const body of ['<html><body><p>Hello</p></body></html>', 'just text', '<DL><p><DT><H3>Empty</H3></DL>']) {
      const res = await importFile(user.token, body);
      assert.equal(res.statusCode, 400, body);
      assert.ok(isProblem(res));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
    assert.equal((await importFile(user.token, fixture, 'text/plain')).statusCode, 415);
    const json = await h.api.app.inject({
      method: 'POST',
      url: '/v1/import',
      headers: bearer(user.token),
      payload: { file: fixture },
    });
    assert.equal(json.statusCode, 415);
    const huge = await importFile(user.token, `${fixture}${' '.repeat(10 * 1024 * 1024)}`);
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().code, 'PAYLOAD_TOO_LARGE');
    const boundary = 'b0undary';
    const hugeForm = await importFile(
      user.token,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="b.html"\r\n\r\n${'x'.repeat(10 * 1024 * 1024 + 1)}\r\n--${boundary}--\r\n`,
      `multipart/form-data; boundary=${boundary}`,
    );
    assert.equal(hugeForm.statusCode, 413, hugeForm.body);
    assert.deepEqual(await listAll(user.token), []);
  });
});
