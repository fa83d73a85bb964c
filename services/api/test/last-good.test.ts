/**
 * The last good copy is never lost: a link shows, searches and thumbnails its newest good
 * version (succeeded or partial, not an error page), while a newer failed or error capture is
 * its capture state and a version in its list.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { failedResult } from '@linksnap/shared';
import { eq, sql } from 'drizzle-orm';
import { links } from '../src/db/schema.js';
import { bearer, type Harness, startHarness, succeededResult } from './helpers.js';

interface ListItem {
  id: string;
  title: string | null;
  latestSnapshot: { id: string; status: string; httpStatus: number | null; errorCapture: boolean } | null;
  lastGoodSnapshot: { id: string; finishedAt: string | null } | null;
  lastGoodSnapshotId: string | null;
  thumbnailUrl: string | null;
}

describe('the last good copy', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const call = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string) =>
    h.api.app.inject({ method, url, headers: bearer(token) });
  const list = async (token: string, qs = '') => {
    const res = await call(token, 'GET', `/v1/links${qs}`);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().items as ListItem[];
  };
  const recapture = async (token: string, linkId: string): Promise<string> =>
    (await call(token, 'POST', `/v1/links/${linkId}/snapshots`)).json().snapshot.id;

  /** A capture with a thumbnail and searchable text, answered with `httpStatus`. */
  async function captured(snapshotId: string, linkId: string, words: string, httpStatus: number) {
    const thumb = await h.api.storage.put(`snapshots/${snapshotId}/thumbnail.jpg`, Buffer.from(words), 'image/jpeg');
    await h.deliverResult(
      succeededResult(snapshotId, linkId, {
        title: words,
        text: `${words} in the body`,
        httpStatus,
        artifacts: [{ kind: 'thumbnail', ...thumb }],
      }),
    );
  }
  async function failed(snapshotId: string, linkId: string) {
    const result = failedResult({
      snapshotId,
      linkId,
      attempts: 3,
      code: 'CONNECTION_FAILED',
      detail: 'read ECONNRESET',
      startedAt: null,
      worker: 'test',
    });
    await h.deliverResult(result);
  }

  /** A link captured well once, then failed, then answered 500: [link, good, failed, error]. */
  async function goodThenFailedThenError(token: string, words: string) {
    const created = (
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(token),
        payload: { url: `http://8.8.8.8/${randomUUID()}` },
      })
    ).json();
    const linkId: string = created.link.id;
    const good: string = created.snapshot.id;
    await captured(good, linkId, words, 200);
    const down = await recapture(token, linkId);
    await failed(down, linkId);
    const broken = await recapture(token, linkId);
    await captured(broken, linkId, 'Internalservererrorpage', 500);
    return { linkId, good, down, broken };
  }

  it('list, search and thumbnail keep the good copy after a failed and an error re-capture', async () => {
    const user = await h.signup();
    const { linkId, good, broken } = await goodThenFailedThenError(user.token, 'Goodarchivedwords');

    const [item] = await list(user.token);
    assert.equal(item?.id, linkId);
    assert.equal(item?.latestSnapshot?.id, broken, 'the capture state is the latest attempt');
    assert.equal(item?.latestSnapshot?.httpStatus, 500);
    assert.equal(item?.latestSnapshot?.errorCapture, true);
    assert.equal(item?.lastGoodSnapshot?.id, good);
    assert.ok(item?.lastGoodSnapshot?.finishedAt, 'the good copy has its date');
    assert.equal(item?.thumbnailUrl, `/v1/snapshots/${good}/artifacts/thumbnail`);
    assert.equal(item?.title, 'Goodarchivedwords', 'an error page never names the link');
    assert.equal((await call(user.token, 'GET', item?.thumbnailUrl as string)).body, 'Goodarchivedwords');

    const found = await list(user.token, '?q=Goodarchivedwords');
    assert.deepEqual(
      found.map((i) => i.id),
      [linkId],
    );
    assert.deepEqual(await list(user.token, '?q=Internalservererrorpage'), [], 'the error page is not searched');

    const link = (await call(user.token, 'GET', `/v1/links/${linkId}`)).json();
    assert.equal(link.latestSnapshot.id, broken);
    assert.equal(link.lastGoodSnapshotId, good);
  });

  it('marks the error capture in the version list, snapshot and job views', async () => {
    const user = await h.signup();
    const { linkId, good, down, broken } = await goodThenFailedThenError(user.token, 'Versionwords');
    const versions = (await call(user.token, 'GET', `/v1/links/${linkId}/snapshots`)).json().items;
    assert.deepEqual(
      versions.map((v: { id: string; status: string; httpStatus: number | null; errorCapture: boolean }) => [
        v.id,
        v.status,
        v.httpStatus,
        v.errorCapture,
      ]),
      [
        [broken, 'succeeded', 500, true],
        [down, 'failed', null, false],
        [good, 'succeeded', 200, false],
      ],
    );
    const snapshot = (await call(user.token, 'GET', `/v1/snapshots/${broken}`)).json();
    assert.equal(snapshot.httpStatus, 500);
    assert.equal(snapshot.errorCapture, true);
    const job = (await call(user.token, 'GET', `/v1/jobs/${broken}`)).json();
    assert.equal(job.state, 'succeeded');
    assert.equal(job.errorCapture, true);
    assert.equal(job.snapshot.errorCapture, true);
    assert.equal((await call(user.token, 'GET', `/v1/jobs/${good}`)).json().errorCapture, false);
    assert.equal((await call(user.token, 'GET', `/v1/jobs/${down}`)).json().error.code, 'CONNECTION_FAILED');
  });

  it('a 404 first capture leaves the link without a good copy', async () => {
    const user = await h.signup();
    const created = (
      await h.api.app.inject({
        method: 'POST',
        url: '/v1/links',
        headers: bearer(user.token),
        payload: { url: `http://8.8.8.8/${randomUUID()}` },
      })
    ).json();
    await captured(created.snapshot.id, created.link.id, 'Notfoundpage', 404);
    const [item] = await list(user.token);
    assert.equal(item?.latestSnapshot?.errorCapture, true);
    assert.equal(item?.lastGoodSnapshot, null);
    assert.equal(item?.thumbnailUrl, null);
    assert.deepEqual(await list(user.token, '?q=Notfoundpage'), []);
  });

  it('deleting the good version falls back to the next older good one, then to none', async () => {
    const user = await h.signup();
    const { linkId, good } = await goodThenFailedThenError(user.token, 'Olderwords');
    const newer = await recapture(user.token, linkId);
    await captured(newer, linkId, 'Newerwords', 200);
    assert.equal((await list(user.token))[0]?.lastGoodSnapshot?.id, newer);

    assert.equal((await call(user.token, 'DELETE', `/v1/snapshots/${newer}`)).statusCode, 204);
    const [item] = await list(user.token);
    assert.equal(item?.lastGoodSnapshot?.id, good);
    assert.equal(item?.thumbnailUrl, `/v1/snapshots/${good}/artifacts/thumbnail`);

    assert.equal((await call(user.token, 'DELETE', `/v1/snapshots/${good}`)).statusCode, 204);
    const [bare] = await list(user.token);
    assert.equal(bare?.lastGoodSnapshot, null);
    assert.equal(bare?.thumbnailUrl, null);
  });

  it('the migration backfill points each link at its newest good version', async () => {
    const user = await h.signup();
    const { linkId, good } = await goodThenFailedThenError(user.token, 'Backfillwords');
    const db = h.api.database.db;
    await db.update(links).set({ latestGoodSnapshotId: null }).where(eq(links.id, linkId));
    const migration = readFileSync(new URL('../drizzle/0004_last_good.sql', import.meta.url), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((s) => s.includes('UPDATE "links"'));
    assert.ok(backfill, 'the migration holds the backfill');
    await db.execute(sql.raw(backfill));
    const [row] = await db.select().from(links).where(eq(links.id, linkId));
    assert.equal(row?.latestGoodSnapshotId, good);
  });
});
