import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE, snapshotJobSchema } from '@linksnap/shared';
import { bearer, type Harness, isProblem, startHarness } from './helpers.js';

// Public IP literals: no DNS, and nothing captures them (no snapshotter runs in these tests).
const publicUrl = () => `http://8.8.8.8/page-${randomUUID()}`;

interface Item {
  url: string;
  status: number;
  link?: { id: string; url: string; tags: { name: string }[] };
  snapshot?: { id: string; linkId: string; status: string };
  problem?: { code: string; status: number; linkId?: string; instance?: string };
}

describe('links batch', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      resolver: async (name) => {
        if (name === 'intranet.example.test') return [{ address: '10.1.2.3', family: 4 }];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      },
      extra: { LINK_SUBMIT_RATE_LIMIT: '60' },
    });
  });
  after(async () => {
    await h.close();
  });

  const batch = (token: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.api.app.inject({
      method: 'POST',
      url: '/v1/links/batch',
      headers: { ...bearer(token), ...headers },
      payload: payload as object,
    });
  const linkCount = async (userId: string) =>
    (await h.api.database.db.query.links.findMany({ where: (l, { eq }) => eq(l.userId, userId) })).length;

  it('accepts 100 URLs in one call although the submit limit is 60, and queues one job each', async () => {
    const user = await h.signup();
    const urls = Array.from({ length: 100 }, publicUrl);
    const res = await batch(user.token, { urls, tags: ['Pasted'] });
    assert.equal(res.statusCode, 200, res.body);
    const items: Item[] = res.json().items;
    assert.equal(items.length, 100);
    assert.deepEqual(
      items.map((i) => i.url),
      urls,
      'input order',
    );
    assert.ok(items.every((i) => i.status === 202 && i.link?.url === i.url && i.snapshot?.linkId === i.link?.id));
    assert.deepEqual(
      items[0]?.link?.tags.map((t) => t.name),
      ['Pasted'],
    );
    assert.equal(await linkCount(user.userId), 100);
    const snapshotId = items[99]?.snapshot?.id as string;
    const job = await h.queue(SNAPSHOTS_QUEUE).getJob(snapshotId);
    assert.ok(job, 'the capture job exists');
    const data = snapshotJobSchema.parse(job.data);
    assert.equal(data.linkId, items[99]?.link?.id);
    assert.equal(data.requestId, res.headers['x-request-id']);
    const read = await h.api.app.inject({
      method: 'GET',
      url: `/v1/links/${items[0]?.link?.id}`,
      headers: bearer(user.token),
    });
    assert.deepEqual(read.json(), items[0]?.link, 'the answer matches what is stored');
  });

  it('answers mixed URLs per URL and stores nothing for the bad ones', async () => {
    const user = await h.signup();
    const saved = publicUrl();
    const first = await batch(user.token, { urls: [saved] });
    const savedId = first.json().items[0].link.id;
    const fresh = publicUrl();
    const urls = [
      fresh,
      'not a url',
      'http://10.0.0.1/admin',
      'http://intranet.example.test/',
      saved,
      `${fresh}#again`,
      '',
    ];
    const res = await batch(user.token, { urls });
    assert.equal(res.statusCode, 200, res.body);
    const items: Item[] = res.json().items;
    assert.deepEqual(
      items.map((i) => [i.status, i.problem?.code]),
      [
        [202, undefined],
        [400, 'INVALID_URL'],
        [400, 'SSRF_BLOCKED'],
        [400, 'SSRF_BLOCKED'],
        [409, 'LINK_ALREADY_EXISTS'],
        [409, 'LINK_ALREADY_EXISTS'],
        [400, 'INVALID_URL'],
      ],
    );
    assert.equal(items[4]?.problem?.linkId, savedId, 'names the link already saved');
    assert.equal(items[5]?.problem?.linkId, items[0]?.link?.id, 'a repeat names the link this batch saved');
    assert.equal(items[1]?.problem?.status, 400);
    assert.equal(items[1]?.problem?.instance, '/v1/links/batch');
    assert.equal(await linkCount(user.userId), 2, 'only the two good URLs are stored');
  });

  it('does not count another user’s saved URL as a conflict', async () => {
    const [alice, bob] = [await h.signup(), await h.signup()];
    const url = publicUrl();
    const alices = (await batch(alice.token, { urls: [url] })).json().items[0];
    assert.equal(alices.status, 202);
    const res = await batch(bob.token, { urls: [url] });
    assert.equal(res.json().items[0].status, 202);
    assert.notEqual(res.json().items[0].link.id, alices.link.id);
    assert.equal(await linkCount(bob.userId), 1);
  });

  it('refuses 501 URLs and an empty list as VALIDATION_FAILED, storing nothing', async () => {
    const user = await h.signup();
    for (const urls of [Array.from({ length: 501 }, publicUrl), []]) {
      const res = await batch(user.token, { urls });
      assert.equal(res.statusCode, 400);
      assert.ok(isProblem(res));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
    assert.equal(await linkCount(user.userId), 0);
  });

  it('replays an Idempotency-Key instead of saving the batch again', async () => {
    const user = await h.signup();
    const key = { 'idempotency-key': randomUUID() };
    const payload = { urls: [publicUrl(), publicUrl()] };
    const first = await batch(user.token, payload, key);
    const again = await batch(user.token, payload, key);
    assert.equal(again.statusCode, 200);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), first.json());
    assert.equal(await linkCount(user.userId), 2);
  });

  it('is refused once the submit budget is spent, as one submission', async () => {
    const user = await h.signup();
    const spent = await Promise.all(Array.from({ length: 60 }, () => batch(user.token, { urls: [publicUrl()] })));
    assert.ok(spent.every((r) => r.statusCode === 200));
    const res = await batch(user.token, { urls: [publicUrl()] });
    assert.equal(res.statusCode, 429);
    assert.equal(res.json().code, 'RATE_LIMITED');
  });
});
