/**
 * The whole pipeline on real services: sign up, submit a fixture page, poll the job to
 * `succeeded`, download every artifact and check what it holds. Runs on real PostgreSQL and
 * on the embedded PGlite default.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blobKey } from '@linksnap/shared';
import {
  type FixtureServer,
  SIMPLE_PAGE_TEXT,
  SIMPLE_PAGE_TITLE,
  startFixtureServer,
} from '../support/fixture-server.js';
import { imageSize } from '../support/image-size.js';
import { Stack } from '../support/stack.js';

for (const database of ['postgres', 'pglite'] as const) {
  describe(`capture pipeline on ${database}`, () => {
    let fixture: FixtureServer;
    let stack: Stack;

    before(async () => {
      fixture = await startFixtureServer();
      stack = await Stack.start({ database, allow: [fixture.hostPort] });
    });
    after(async () => {
      await stack?.close();
      await fixture?.close();
    });

    it('captures a fixture page from submit to succeeded with every artifact', async () => {
      const user = await stack.user();
      const submitted = Date.now();
      const res = await stack.request('POST', '/v1/links', {
        token: user.token,
        json: { url: fixture.url('/simple') },
      });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const snapshotId = res.body.snapshot.id as string;
      assert.equal(res.headers.get('location'), `/v1/jobs/${snapshotId}`);
      assert.equal(res.body.link.url, fixture.url('/simple'));

      const { job, seen } = await stack.waitForJob(snapshotId, user.token).catch((err) => {
        throw new Error(`${err.message}\n${stack.logs()}`);
      });
      const elapsed = Date.now() - submitted;
      console.log(`[${database}] POST /v1/links → succeeded in ${elapsed} ms (states: ${seen.join(' → ')})`);
      assert.equal(job.state, 'succeeded', JSON.stringify(job.error));
      assert.equal(job.error, null);
      assert.equal(job.attempts, 1);
      assert.equal(fixture.hits.get('/simple'), 1, 'the page is fetched once');

      const snapshot = await stack.request('GET', `/v1/snapshots/${snapshotId}`, { token: user.token });
      assert.equal(snapshot.status, 200);
      assert.equal(snapshot.body.title, SIMPLE_PAGE_TITLE);
      assert.equal(snapshot.body.httpStatus, 200);
      assert.equal(snapshot.body.finalUrl, fixture.url('/simple'));
      const kinds = (snapshot.body.artifacts as { kind: string }[]).map((a) => a.kind);
      for (const kind of ['screenshot', 'pdf', 'mhtml', 'html']) assert.ok(kinds.includes(kind), `${kind} missing`);

      const get = (kind: string) => stack.download(`/v1/snapshots/${snapshotId}/artifacts/${kind}`, user.token);

      const screenshot = await get('screenshot');
      assert.equal(screenshot.status, 200);
      assert.equal(screenshot.headers.get('content-type'), 'image/webp');
      const { format, width, height } = imageSize(screenshot.bytes);
      assert.equal(format, 'webp');
      assert.ok(width >= 800 && width <= 2000, `width ${width}`);
      assert.ok(height >= 400 && height <= 20000, `height ${height}`);

      const pdf = await get('pdf');
      assert.equal(pdf.headers.get('content-type'), 'application/pdf');
      assert.equal(pdf.bytes.subarray(0, 4).toString(), '%PDF');

      const mhtml = (await get('mhtml')).bytes.toString('latin1');
      assert.match(mhtml, /Content-Type: multipart\/related/i);
      // MHTML encodes the HTML part as quoted-printable: undo soft line breaks before searching.
      assert.ok(mhtml.replace(/=\r?\n/g, '').includes(SIMPLE_PAGE_TEXT), 'MHTML holds the page text');

      const html = await get('html');
      assert.match(String(html.headers.get('content-type')), /^text\/html/);
      const csp = String(html.headers.get('content-security-policy')).split(/;\s*/);
      for (const directive of ["default-src 'none'", 'sandbox', "frame-ancestors 'self'"]) {
        assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp.join('; ')}`);
      }
      assert.ok(html.bytes.toString('utf8').includes(SIMPLE_PAGE_TEXT), 'HTML holds the page text');

      // Every artifact listed is stored under its own digest (content-addressed, ADR 0017).
      for (const artifact of snapshot.body.artifacts as { key: string; bytes: number; sha256: string }[]) {
        assert.equal(artifact.key, blobKey(artifact.sha256));
        const stored = await stack.storage.getBuffer(artifact.key);
        assert.equal(stored.length, artifact.bytes);
        const { createHash } = await import('node:crypto');
        assert.equal(createHash('sha256').update(stored).digest('hex'), artifact.sha256);
      }

      const link = await stack.request('GET', `/v1/links/${res.body.link.id}`, { token: user.token });
      assert.equal(link.status, 200);
      assert.equal(link.body.title, SIMPLE_PAGE_TITLE);
    });

    it('answers bad requests with problem+json and hides other users’ resources', async () => {
      const owner = await stack.user();
      const other = await stack.user();
      const created = await stack.request('POST', '/v1/links', {
        token: owner.token,
        json: { url: fixture.url('/not-found') },
      });
      assert.equal(created.status, 202);

      const noAuth = await stack.request('GET', `/v1/links/${created.body.link.id}`);
      assert.equal(noAuth.status, 401);
      assert.match(noAuth.contentType, /^application\/problem\+json/);
      assert.equal(noAuth.body.code, 'UNAUTHENTICATED');
      assert.match(String(noAuth.headers.get('www-authenticate')), /^Bearer/);

      const badJson = await stack.request('POST', '/v1/links', {
        token: owner.token,
        body: '{"url": ',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(badJson.status, 400);
      assert.match(badJson.contentType, /^application\/problem\+json/);

      for (const path of [`/v1/links/${created.body.link.id}`, `/v1/jobs/${created.body.snapshot.id}`]) {
        const res = await stack.request('GET', path, { token: other.token });
        assert.equal(res.status, 404, path);
        assert.equal(res.body.code, 'NOT_FOUND');
      }

      const unknown = await stack.request('GET', '/v1/nothing-here', { token: owner.token });
      assert.equal(unknown.status, 404);
      assert.match(unknown.contentType, /^application\/problem\+json/);

      // A 404 page is still captured, with its status recorded.
      const { job } = await stack.waitForJob(created.body.snapshot.id, owner.token);
      assert.equal(job.state, 'succeeded');
      const snapshot = await stack.request('GET', `/v1/snapshots/${created.body.snapshot.id}`, { token: owner.token });
      assert.equal(snapshot.body.httpStatus, 404);
    });
  });
}
