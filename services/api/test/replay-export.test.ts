/**
 * WACZ download, the replay player and its bundles, and the archive exports (one link's
 * versions merged; bookmarks with archives). WACZs are built from real fixture-server
 * responses with warcio; real PostgreSQL, Redis and embedded S3.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ARTIFACT_KINDS, type Artifact, artifactKey, loadArchiveSigner, verifyWacz } from '@linksnap/shared';
import { unzipSync } from 'fflate';
import { type FixtureServer, startFixtureServer } from '../../../test/support/fixture-server.js';
import { buildWacz, fetchExchange, readWaczRecords } from '../../../test/support/wacz-fixture.js';
import { bearer, type Harness, isProblem, startHarness, succeededResult } from './helpers.js';

const sha256 = (data: Uint8Array) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('WACZ download, replay player and archive exports', () => {
  let h: Harness;
  let fixture: FixtureServer;

  before(async () => {
    h = await startHarness();
    fixture = await startFixtureServer();
  });
  after(async () => {
    await fixture.close();
    await h.close();
  });

  const get = (token: string, url: string) => h.api.app.inject({ method: 'GET', url, headers: bearer(token) });

  /** Captures `path` of the fixture server into a WACZ and delivers it as a new version. */
  async function archivedVersion(token: string, linkId: string | null, path: string) {
    const created = linkId
      ? await h.api.app.inject({ method: 'POST', url: `/v1/links/${linkId}/snapshots`, headers: bearer(token) })
      : await h.api.app.inject({
          method: 'POST',
          url: '/v1/links',
          headers: bearer(token),
          payload: { url: `http://8.8.8.8/${path}` },
        });
    const snapshot = created.json().snapshot;
    const link = linkId ?? created.json().link.id;
    const url = fixture.url(`/${path}`);
    const wacz = await buildWacz([await fetchExchange(url)], { url, title: 'Simple' });
    const key = artifactKey(snapshot.id, 'wacz');
    const artifact: Artifact = {
      kind: 'wacz',
      ...(await h.api.storage.put(key, wacz, ARTIFACT_KINDS.wacz.contentType)),
    };
    await h.deliverResult(succeededResult(snapshot.id, link, { finalUrl: url, artifacts: [artifact] }));
    return { snapshotId: snapshot.id as string, linkId: link as string, wacz, url };
  }

  it('downloads a snapshot’s WACZ as a named attachment, and 404s another user', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const { snapshotId, wacz } = await archivedVersion(user.token, null, 'simple');
    const res = await get(user.token, `/v1/snapshots/${snapshotId}/artifacts/wacz`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/wacz+zip');
    assert.equal(res.headers['content-disposition'], `attachment; filename="${snapshotId}.wacz"`);
    assert.deepEqual(res.rawPayload, wacz);
    const denied = await get(other.token, `/v1/snapshots/${snapshotId}/artifacts/wacz`);
    assert.equal(denied.statusCode, 404);
    assert.ok(isProblem(denied));
  });

  it('signs a replay player URL whose page hands ReplayWeb.page the signed WACZ', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const { snapshotId, wacz, url } = await archivedVersion(user.token, null, 'simple');
    const signed = await get(user.token, `/v1/snapshots/${snapshotId}/replay`);
    assert.equal(signed.statusCode, 200);
    const player = signed.json().url as string;
    assert.match(player, new RegExp(`^/replay-player/${snapshotId}\\?exp=\\d+&sig=[A-Za-z0-9_-]+$`));
    assert.equal((await get(other.token, `/v1/snapshots/${snapshotId}/replay`)).statusCode, 404);

    const page = await h.api.app.inject({ method: 'GET', url: player });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-security-policy']), /connect-src 'self'/);
    assert.equal(page.headers['x-frame-options'], undefined);
    assert.match(page.body, /<script src="\/replay\/ui\.js"><\/script>/);
    assert.ok(page.body.includes(`url="${url}"`));
    assert.ok(page.body.includes('embed="replayonly"'));
    const source = /source="([^"]+)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    // One `s` parameter (expiry.signature): ReplayWeb.page appends its own query to the source.
    // Then `embed`, for the player app a replayed page opened alone goes to (see replay.ts).
    assert.match(source, new RegExp(`^/archive/${snapshotId}/wacz\\?s=\\d+\\.[A-Za-z0-9_-]+&embed=replayonly$`));
    const fetched = await h.api.app.inject({ method: 'GET', url: source });
    assert.equal(fetched.statusCode, 200);
    assert.deepEqual(fetched.rawPayload, wacz);
    const forged = await h.api.app.inject({
      method: 'GET',
      url: source.replace(/\.(.)/, (_, c) => `.${c === 'A' ? 'B' : 'A'}`),
    });
    assert.equal(forged.statusCode, 404);
    assert.ok(isProblem(forged));

    const tampered = await h.api.app.inject({
      method: 'GET',
      url: player.replace(/sig=(.)/, (_, c) => `sig=${c === 'A' ? 'B' : 'A'}`),
    });
    assert.equal(tampered.statusCode, 404);
    assert.ok(isProblem(tampered));
  });

  it('serves ReplayWeb.page’s bundles from this origin, the worker limited to it', async () => {
    for (const file of ['ui.js', 'sw.js?serveIndex=1']) {
      const res = await h.api.app.inject({ method: 'GET', url: `/replay/${file}` });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/javascript/);
      assert.ok(res.body.length > 100_000);
      assert.match(String(res.headers['content-security-policy']), /connect-src 'self'/);
    }
  });

  it('installs one worker: every other worker script URL redirects, so its registration fails', async () => {
    for (const url of ['/replay/sw.js', '/replay/sw.js?injectScripts=ruffle%2Fruffle.js&allowProxyPaths=ruffle%2F']) {
      const res = await h.api.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 302, url);
      assert.equal(res.headers.location, '/replay/sw.js?serveIndex=1');
    }
  });

  it('answers 404 for a replay of a snapshot without a WACZ', async () => {
    const user = await h.signup();
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: 'http://8.8.8.8/no-archive' },
    });
    const { link, snapshot } = created.json();
    await h.deliverResult(succeededResult(snapshot.id, link.id));
    const res = await get(user.token, `/v1/snapshots/${snapshot.id}/replay`);
    assert.equal(res.statusCode, 404);
    assert.ok(isProblem(res));
    const exported = await get(user.token, `/v1/links/${link.id}/export.wacz`);
    assert.equal(exported.statusCode, 404);
    assert.ok(isProblem(exported));
  });

  it('merges every version of a link into one WACZ that warcio reads', async () => {
    const user = await h.signup();
    const other = await h.signup();
    const first = await archivedVersion(user.token, null, 'simple');
    const second = await archivedVersion(user.token, first.linkId, 'not-found');
    const res = await get(user.token, `/v1/links/${first.linkId}/export.wacz`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/wacz+zip');
    assert.equal(res.headers['content-disposition'], `attachment; filename="${first.linkId}.wacz"`);

    const { files, records } = await readWaczRecords(res.rawPayload);
    const responses = records.filter((r) => r.type === 'response');
    assert.deepEqual(responses.map((r) => r.url).sort(), [first.url, second.url].sort());
    assert.ok(responses.every((r) => r.payloadDigestOk));
    assert.deepEqual(
      new Set(records.map((r) => r.file)),
      new Set([`archive/${first.snapshotId}-data.warc.gz`, `archive/${second.snapshotId}-data.warc.gz`]),
    );
    const cdxj = Buffer.from(files['indexes/index.cdxj'] ?? [])
      .toString('utf8')
      .trim()
      .split('\n');
    assert.equal(cdxj.length, 2);
    for (const line of cdxj) assert.ok(`archive/${JSON.parse(line.slice(line.indexOf('{'))).filename}` in files);
    const pages = Buffer.from(files['pages/pages.jsonl'] ?? [])
      .toString('utf8')
      .trim()
      .split('\n');
    assert.equal(pages.length, 3);
    const datapackage = JSON.parse(Buffer.from(files['datapackage.json'] ?? []).toString('utf8'));
    assert.equal(datapackage.wacz_version, '1.1.1');
    for (const resource of datapackage.resources) {
      assert.equal(resource.hash, sha256(files[resource.path] ?? new Uint8Array()), resource.path);
    }
    const digest = JSON.parse(Buffer.from(files['datapackage-digest.json'] ?? []).toString('utf8'));
    assert.equal(digest.hash, sha256(files['datapackage.json'] ?? new Uint8Array()));
    const instanceKey = loadArchiveSigner(h.config).publicKey;
    assert.equal(verifyWacz(res.rawPayload, { trustedKeys: [instanceKey] }).publicKey, instanceKey);

    const denied = await get(other.token, `/v1/links/${first.linkId}/export.wacz`);
    assert.equal(denied.statusCode, 404);
    assert.ok(isProblem(denied));
  });

  it('refuses to merge a stored version that no longer verifies', async () => {
    const user = await h.signup();
    const { snapshotId, linkId, wacz } = await archivedVersion(user.token, null, 'simple');
    const flipped = Buffer.from(wacz);
    flipped[200] = (flipped[200] ?? 0) ^ 0xff;
    await h.api.storage.put(artifactKey(snapshotId, 'wacz'), flipped, ARTIFACT_KINDS.wacz.contentType);
    const res = await get(user.token, `/v1/links/${linkId}/export.wacz`);
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, 'ARCHIVE_TAMPERED');
    assert.ok(isProblem(res));
  });

  it('exports bookmarks with each link’s archive in one zip', async () => {
    const user = await h.signup();
    const archived = await archivedVersion(user.token, null, 'simple');
    const res = await get(user.token, '/v1/export?archives=wacz');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    const files = unzipSync(res.rawPayload);
    assert.match(Buffer.from(files['bookmarks.html'] ?? []).toString('utf8'), /http:\/\/8\.8\.8\.8\/simple/);
    const index = JSON.parse(Buffer.from(files['archives/index.json'] ?? []).toString('utf8'));
    assert.deepEqual(index, [
      {
        linkId: archived.linkId,
        url: 'http://8.8.8.8/simple',
        title: 'Captured',
        file: `archives/${archived.linkId}.wacz`,
        versions: [archived.snapshotId],
      },
    ]);
    const { records } = await readWaczRecords(files[`archives/${archived.linkId}.wacz`] ?? new Uint8Array());
    assert.deepEqual(
      records.map((r) => r.url),
      [archived.url],
    );
    const plain = await get(user.token, '/v1/export');
    assert.match(String(plain.headers['content-type']), /^text\/html/);
  });
});
