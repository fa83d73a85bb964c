/**
 * Signed archive URLs on their own: where they point (ARCHIVE_ORIGIN or the API's /archive
 * path) and that expiry and tampering are refused. No I/O: signing needs only the key.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { buildArchiveApp } from '../src/archive-app.js';
import type { SnapshotsRepository } from '../src/db/snapshots.repository.js';
import { ArchiveLinks } from '../src/domain/archive-links.js';
import type { StandaloneArchives } from '../src/domain/standalone-archive.js';
import { deriveKey } from '../src/domain/tokens.js';
import { ArchiveSite } from '../src/http/archive-site.js';

const secret = new TextEncoder().encode('test-secret-test-secret-test-secret-0123456789');
const links = (origin?: string, key = deriveKey(secret, 'archive-url')) =>
  new ArchiveLinks(key, {} as SnapshotsRepository, {} as StandaloneArchives, { origin, ttlSeconds: 120 });

function parts(url: string) {
  const u = new URL(url, 'http://api.invalid');
  return { u, exp: u.searchParams.get('exp') ?? undefined, sig: u.searchParams.get('sig') ?? undefined };
}

describe('signed archive URLs', () => {
  it('point at ARCHIVE_ORIGIN when configured, else at /archive on the API', () => {
    const id = randomUUID();
    const now = Date.now();
    const external = links('https://archive.linksnap.invalid/').sign(id, 'html', { now });
    assert.match(external.url, new RegExp(`^https://archive\\.linksnap\\.invalid/archive/${id}/html\\?exp=\\d+&sig=`));
    assert.equal(Date.parse(external.expiresAt), (Math.floor(now / 1000) + 120) * 1000);
    assert.match(links().sign(id, 'html').url, new RegExp(`^/archive/${id}/html\\?`));
  });

  it('verify only the exact snapshot, kind and expiry they were signed for, until they expire', () => {
    const id = randomUUID();
    const signer = links();
    const { exp, sig } = parts(signer.sign(id, 'html').url);
    signer.verify(id, 'html', exp, sig);
    const refused = (fn: () => void) => assert.throws(fn, { code: 'NOT_FOUND' });
    refused(() => signer.verify(id, 'mhtml', exp, sig));
    refused(() => signer.verify(randomUUID(), 'html', exp, sig));
    refused(() => signer.verify(id, 'html', String(Number(exp) + 1), sig));
    refused(() => signer.verify(id, 'html', exp, undefined));
    refused(() => signer.verify(id, 'html', `${exp}.0`, sig));
    refused(() => signer.verify(id, 'html', exp, sig, (Number(exp) + 1) * 1000));
    // A key for another purpose (or the JWT secret itself) cannot mint archive URLs.
    refused(() => links(undefined, deriveKey(secret, 'other')).verify(id, 'html', exp, sig));
    refused(() => links(undefined, Buffer.from(secret)).verify(id, 'html', exp, sig));
  });

  it('without ARCHIVE_ORIGIN, point at the archive listener on the host the client used', async () => {
    const site = new ArchiveSite(undefined, true);
    site.listening(3000, 3001);
    const app = buildArchiveApp({ links: links(), site });
    app.get('/echo', (request) => ({ origin: site.originFor(request), ancestors: site.frameAncestors(request) }));
    const echo = await app.inject({ url: '/echo', headers: { host: 'snap.example:3001' } });
    assert.deepEqual(echo.json(), {
      origin: 'http://snap.example:3001',
      ancestors: "'self' http://snap.example:3000",
    });
    // A Host header that is not a plain name is never echoed into a URL.
    const odd = await app.inject({ url: '/echo', headers: { host: 'evil"<x>' } });
    assert.equal(odd.json().origin, 'http://127.0.0.1:3001');
    // The archive listener has no API and no UI: problem+json 404s, no cookie.
    for (const url of ['/v1/links', '/', '/snapshots/x/replay', '/docs/openapi.json']) {
      const res = await app.inject({ url, headers: { accept: 'text/html' } });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.headers['set-cookie'], undefined);
    }
    assert.equal((await app.inject({ url: '/replay/sw.js?serveIndex=1' })).statusCode, 200);
    await app.close();
  });

  it('with ARCHIVE_ORIGIN, point there and may be framed by the app wherever it is', async () => {
    const site = new ArchiveSite('https://archive.linksnap.invalid/');
    assert.equal(site.servedByApp, true);
    const request = { protocol: 'https', hostname: 'app.linksnap.invalid' } as FastifyRequest;
    assert.equal(site.originFor(request), 'https://archive.linksnap.invalid');
    assert.equal(site.frameAncestors(request), '*');
    assert.equal(new ArchiveSite(undefined).frameAncestors(request), "'self'");
  });
});
