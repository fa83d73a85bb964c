import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE, snapshotJobSchema } from '@linksnap/shared';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

// Public IP literals: no DNS, and nothing captures them (no snapshotter runs in these tests).
const publicUrl = () => `http://8.8.8.8/page-${randomUUID()}`;

describe('links', () => {
  let h: Harness;
  before(async () => {
    // Names resolve through this table only: no DNS query leaves the machine.
    h = await startHarness({
      resolver: async (name) => {
        if (name === 'intranet.example.test') return [{ address: '10.1.2.3', family: 4 }];
        if (name === 'public.example.test') return [{ address: '8.8.8.8', family: 4 }];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      },
    });
  });
  after(async () => {
    await h.close();
  });

  const post = (token: string, payload: unknown) =>
    h.api.app.inject({ method: 'POST', url: '/v1/links', headers: bearer(token), payload: payload as object });
  const get = (token: string, url: string) => h.api.app.inject({ method: 'GET', url, headers: bearer(token) });

  it('passes capture options (blockAds, formats, mode) to the capture job, and none when none are given', async () => {
    const user = await h.signup();
    const off = await post(user.token, { url: `${publicUrl()}?ads=1`, blockAds: false });
    assert.equal(off.statusCode, 202, off.body);
    const plain = await post(user.token, { url: `${publicUrl()}?ads=2` });
    const jobOf = async (id: string) => snapshotJobSchema.parse((await h.queue(SNAPSHOTS_QUEUE).getJob(id))?.data);
    assert.deepEqual((await jobOf(off.json().snapshot.id)).options, { blockAds: false });
    assert.equal((await jobOf(plain.json().snapshot.id)).options, undefined);
    const bad = await post(user.token, { url: `${publicUrl()}?ads=3`, blockAds: 'no' });
    assert.equal(bad.statusCode, 400);
    const light = await post(user.token, { url: `${publicUrl()}?ads=4`, formats: ['pdf', 'screenshot'], mode: 'full' });
    assert.deepEqual((await jobOf(light.json().snapshot.id)).options, { formats: ['pdf', 'screenshot'], mode: 'full' });
    const bookmark = await post(user.token, { url: `${publicUrl()}?ads=5`, mode: 'bookmark' });
    assert.deepEqual((await jobOf(bookmark.json().snapshot.id)).options, { mode: 'bookmark' });
    for (const body of [{ formats: ['gif'] }, { mode: 'light' }]) {
      const res = await post(user.token, { url: `${publicUrl()}?ads=6`, ...body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
  });

  it('saves a link, answers 202 with Location and queues a capture job named by the snapshot id', async () => {
    const user = await h.signup();
    const url = `${publicUrl()}?utm_source=news#top`;
    const res = await post(user.token, { url, tags: [' Reading ', 'reading', 'Later'] });
    assert.equal(res.statusCode, 202);
    const { link, snapshot } = res.json();
    assert.equal(res.headers.location, `/v1/jobs/${snapshot.id}`);
    assert.equal(link.url, url);
    assert.equal(link.normalizedUrl, url.replace('?utm_source=news#top', ''));
    assert.deepEqual(
      link.tags.map((t: { name: string }) => t.name),
      ['Later', 'Reading'],
    );
    assert.equal(snapshot.status, 'queued');

    const job = await h.queue(SNAPSHOTS_QUEUE).getJob(snapshot.id);
    assert.ok(job, 'the capture job exists');
    const data = snapshotJobSchema.parse(job.data);
    assert.equal(data.snapshotId, snapshot.id);
    assert.equal(data.linkId, link.id);
    assert.equal(data.userId, user.userId);
    assert.equal(data.requestId, res.headers['x-request-id']);

    const read = await get(user.token, `/v1/links/${link.id}`);
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json().latestSnapshot, { id: snapshot.id, status: 'queued' });

    const status = await get(user.token, `/v1/jobs/${snapshot.id}`);
    assert.equal(status.statusCode, 200);
    assert.equal(status.json().state, 'queued');
    assert.deepEqual(status.json().progress, { stage: 'queued', percent: 0 });
  });

  it('answers a link without tags exactly as it then reads back', async () => {
    const user = await h.signup();
    const res = await post(user.token, { url: publicUrl() });
    assert.equal(res.statusCode, 202);
    const { link, snapshot } = res.json();
    assert.deepEqual(link.tags, []);
    assert.deepEqual(link.latestSnapshot, { id: snapshot.id, status: 'queued' });
    assert.equal(snapshot.linkId, link.id);
    assert.ok(Math.abs(Date.parse(link.createdAt) - Date.now()) < 60_000, 'createdAt is a real timestamp');
    const read = await get(user.token, `/v1/links/${link.id}`);
    assert.deepEqual(read.json(), link);
  });

  it('creates a link once when the same URL is submitted concurrently', async () => {
    const user = await h.signup();
    const url = publicUrl();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(user.token, { url })));
    const created = answers.filter((r) => r.statusCode === 202);
    assert.equal(created.length, 1, answers.map((r) => r.statusCode).join(','));
    const id = created[0]?.json().link.id;
    for (const dup of answers.filter((r) => r.statusCode !== 202)) {
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().linkId, id);
    }
    const list = await get(user.token, '/v1/links');
    assert.deepEqual(
      list.json().items.map((l: { id: string }) => l.id),
      [id],
    );
  });

  it('answers 409 with the existing link for the same normalised URL', async () => {
    const user = await h.signup();
    const url = publicUrl();
    const first = await post(user.token, { url });
    assert.equal(first.statusCode, 202);
    const dup = await post(user.token, { url: `${url}?fbclid=abc#x` });
    assert.equal(dup.statusCode, 409);
    assert.ok(isProblem(dup));
    assert.equal(dup.json().code, 'LINK_ALREADY_EXISTS');
    assert.equal(dup.json().linkId, first.json().link.id);
    assert.equal(dup.headers.location, `/v1/links/${first.json().link.id}`);

    const other = await h.signup();
    assert.equal((await post(other.token, { url })).statusCode, 202, 'another user may save the same URL');
  });

  it('rejects URLs that are not plain http(s)', async () => {
    const user = await h.signup();
    for (const url of ['ftp://8.8.8.8/file', 'http://user:pass@8.8.8.8/', 'not a url', 'javascript:alert(1)']) {
      const res = await post(user.token, { url });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 'INVALID_URL', url);
    }
  });

  it('refuses private targets at submit time unless allow-listed', async () => {
    const user = await h.signup();
    for (const url of [
      'http://127.0.0.1:1/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:8080/',
      'http://10.0.0.1/',
    ]) {
      const res = await post(user.token, { url });
      assert.equal(res.statusCode, 400, url);
      assert.equal(res.json().code, 'SSRF_BLOCKED', url);
    }
  });

  it('checks names at submit: a private answer is refused, an unresolvable name is left to the capture', async () => {
    const user = await h.signup();
    const blocked = await post(user.token, { url: 'https://intranet.example.test/wiki' });
    assert.equal(blocked.statusCode, 400);
    assert.equal(blocked.json().code, 'SSRF_BLOCKED');
    assert.equal((await post(user.token, { url: `https://public.example.test/${randomUUID()}` })).statusCode, 202);
    assert.equal((await post(user.token, { url: `https://nxdomain.example.test/${randomUUID()}` })).statusCode, 202);
  });

  it("hides other users' links, jobs and snapshots behind 404", async () => {
    const owner = await h.signup();
    const stranger = await h.signup();
    const created = (await post(owner.token, { url: publicUrl() })).json();
    for (const path of [
      `/v1/links/${created.link.id}`,
      `/v1/jobs/${created.snapshot.id}`,
      `/v1/snapshots/${created.snapshot.id}`,
      `/v1/snapshots/${created.snapshot.id}/artifacts/screenshot`,
      '/v1/links/not-a-uuid',
      '/v1/jobs/123',
      '/v1/snapshots/%27%3B--',
    ]) {
      const res = await get(stranger.token, path);
      assert.equal(res.statusCode, 404, path);
      assert.ok(isProblem(res), path);
      assert.equal(res.json().code, 'NOT_FOUND', path);
    }
    assert.equal((await get(owner.token, `/v1/snapshots/${created.snapshot.id}`)).statusCode, 200);
  });
});
