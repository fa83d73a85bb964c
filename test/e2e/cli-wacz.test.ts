/**
 * `snap export --wacz` against a real API (real PostgreSQL, Redis, S3) holding a link with two
 * archived versions (WACZs built from fixture-server responses): one link's merged WACZ, and the
 * bookmarks-with-archives zip, written to files; both verify with the instance key.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { main } from '@linksnap/cli';
import { ARTIFACT_KINDS, artifactKey, loadArchiveSigner, verifyWacz } from '@linksnap/shared';
import { unzipSync } from 'fflate';
import { bearer, type Harness, startHarness, succeededResult } from '../../services/api/test/helpers.js';
import { type FixtureServer, startFixtureServer } from '../support/fixture-server.js';
import { tempDir } from '../support/services.js';
import { buildWacz, fetchExchange, readWaczRecords } from '../support/wacz-fixture.js';

describe('snap export --wacz', () => {
  let h: Harness;
  let fixture: FixtureServer;
  let baseUrl: string;

  before(async () => {
    [h, fixture] = await Promise.all([startHarness(), startFixtureServer()]);
    await h.api.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(h.api.app.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await fixture?.close();
    await h?.close();
  });

  /** Runs the CLI in this process with the user's token; returns exit code and output. */
  async function snap(args: string[], token: string) {
    const out: string[] = [];
    const err: string[] = [];
    const home = tempDir('snap-wacz-');
    const sink = (lines: string[]) => ({
      write(s: string) {
        lines.push(s);
        return true;
      },
    });
    const code = await main(args, {
      stdout: sink(out),
      stderr: sink(err),
      env: { HOME: home, LINKSNAP_URL: baseUrl, LINKSNAP_TOKEN: token },
    });
    return { code, stdout: out.join(''), stderr: err.join(''), home };
  }

  async function deliverVersion(snapshotId: string, linkId: string, page: string) {
    const url = fixture.url(page);
    const wacz = await buildWacz([await fetchExchange(url)], { url, title: page });
    const stored = await h.api.storage.put(artifactKey(snapshotId, 'wacz'), wacz, ARTIFACT_KINDS.wacz.contentType);
    await h.deliverResult(
      succeededResult(snapshotId, linkId, { finalUrl: url, artifacts: [{ kind: 'wacz', ...stored }] }),
    );
  }

  it('writes a link’s merged WACZ and the library zip, signed by this instance', async () => {
    const exports = tempDir('linksnap-exports-');
    const user = await h.signup();
    const created = await h.api.app.inject({
      method: 'POST',
      url: '/v1/links',
      headers: bearer(user.token),
      payload: { url: 'http://8.8.8.8/cli-wacz' },
    });
    const { link, snapshot } = created.json();
    await deliverVersion(snapshot.id, link.id, '/simple');
    const again = await h.api.app.inject({
      method: 'POST',
      url: `/v1/links/${link.id}/snapshots`,
      headers: bearer(user.token),
    });
    await deliverVersion(again.json().snapshot.id, link.id, '/not-found');
    const instanceKey = loadArchiveSigner(h.config).publicKey;

    const one = await snap(
      ['export', '--wacz', link.id, '-o', path.join(exports, `${link.id}.wacz`), '--json'],
      user.token,
    );
    assert.equal(one.code, 0, one.stderr);
    const written = JSON.parse(one.stdout);
    const merged = readFileSync(written.file);
    assert.equal(written.bytes, merged.length);
    verifyWacz(merged, { trustedKeys: [instanceKey] });
    const { records } = await readWaczRecords(merged);
    assert.deepEqual(records.map((r) => r.url).sort(), [fixture.url('/not-found'), fixture.url('/simple')]);

    const all = await snap(['export', '--wacz', '-o', path.join(exports, `library-${link.id}.zip`)], user.token);
    assert.equal(all.code, 0, all.stderr);
    const files = unzipSync(readFileSync(path.join(exports, `library-${link.id}.zip`)));
    assert.ok(files['bookmarks.html']);
    verifyWacz(files[`archives/${link.id}.wacz`] ?? new Uint8Array(), { trustedKeys: [instanceKey] });

    const toStdout = await snap(['export', '--wacz', '-o', '-'], user.token);
    assert.equal(toStdout.code, 2);
    const missing = await snap(['export', '--wacz', crypto.randomUUID()], user.token);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not/i);
  });
});
