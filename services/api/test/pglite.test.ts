import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SNAPSHOTS_QUEUE } from '@linksnap/shared';
import { tempDir } from '../../../test/support/services.js';
import { openDatabase } from '../src/db/database.js';
import { bearer, type Harness, startHarness } from './helpers.js';

describe('embedded PGlite database', () => {
  const dataDir = tempDir('linksnap-pglite-');
  let h: Harness;
  before(async () => {
    h = await startHarness({ databaseUrl: null, dataDir, extra: { JWT_SECRET: '' } });
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

  it('reapplying migrations to an existing directory is a no-op', async () => {
    const other = tempDir('linksnap-pglite-');
    const first = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: other });
    await first.close();
    const second = await openDatabase({ DATABASE_URL: undefined, DATA_DIR: other });
    assert.equal(second.kind, 'pglite');
    await second.close();
  });
});
