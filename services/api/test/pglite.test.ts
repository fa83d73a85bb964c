import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { tempDir } from '../../../test/support/services.js';
import { openDatabase } from '../src/db/database.js';
import { bearer, type Harness, startHarness, succeededResult } from './helpers.js';

describe('embedded PGlite database', () => {
  const dataDir = tempDir('linksnap-pglite-');
  let h: Harness;
  before(async () => {
    // A first start: initdb and every migration on an empty directory (other tests copy a template).
    h = await startHarness({ databaseUrl: null, dataDir, freshPglite: true, extra: { JWT_SECRET: '' } });
  });
  after(async () => {
    await h.close();
  });

  it('migrates on disk and serves sign-up and links', async () => {
    assert.equal(h.api.database.kind, 'pglite');
    assert.ok(existsSync(path.join(dataDir, 'pglite')));
    assert.ok(existsSync(path.join(dataDir, 'jwt-secret')), 'a generated secret is kept in DATA_DIR');
    const user = await h.signup();
    const res = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: `https://8.8.4.4/${randomUUID()}`, tags: ['One'] },
    });
    assert.equal(res.statusCode, 202);
    const { link, snapshot } = res.json();
    assert.ok(await h.queue(SNAPSHOTS_QUEUE).getJob(snapshot.id));
    const read = await h.api.app.inject({ method: 'GET', url: `/v1/links/${link.id}`, headers: bearer(user.token) });
    assert.equal(read.json().tags[0].name, 'One');
    const dup = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: link.url },
    });
    assert.equal(dup.statusCode, 409);
  });

  it('counts, keeps and sweeps content-addressed bodies (ADR 0017)', async () => {
    const user = await h.signup();
    const res = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: `https://8.8.4.4/${randomUUID()}` },
    });
    const { link, snapshot } = res.json();
    const body = await h.api.storage.putBlob(Buffer.from(`pglite ${randomUUID()}`), 'image/png');
    await h.deliverResult(succeededResult(snapshot.id, link.id, { artifacts: [{ kind: 'screenshot', ...body }] }));
    const usage = await h.api.app.inject({ method: 'GET', url: '/v1/usage', headers: bearer(user.token) });
    assert.deepEqual(usage.json(), {
      scope: 'user',
      links: 1,
      snapshots: 1,
      bytesStored: body.bytes,
      bytesLogical: body.bytes,
    });
    assert.ok((await h.api.blobSweeper?.runOnce(0))?.ran);
    assert.equal(await h.api.storage.exists(body.key), true, 'referenced: kept');
    const del = await h.api.app.inject({ method: 'DELETE', url: `/v1/links/${link.id}`, headers: bearer(user.token) });
    assert.equal(del.statusCode, 204);
    assert.equal((await h.api.blobSweeper?.runOnce(0))?.removed, 1);
    assert.equal(await h.api.storage.exists(body.key), false, 'unreferenced: swept');
  });

  it('reapplying migrations to an existing directory is a no-op', async () => {
    const other = tempDir('linksnap-pglite-');
    const first = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: other });
    await first.close();
    const second = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: other });
    assert.equal(second.kind, 'pglite');
    await second.close();
  });
});
