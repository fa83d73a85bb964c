/**
 * Signed archive URLs on their own: where they point (ARCHIVE_ORIGIN or the API's /archive
 * path) and that expiry and tampering are refused. No I/O: signing needs only the key.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ObjectStorage } from '@linksnap/shared';
import { ArchiveLinks } from '../src/domain/archive-links.js';
import type { SnapshotsRepository } from '../src/domain/snapshots.repository.js';
import { deriveKey } from '../src/domain/tokens.js';

const secret = new TextEncoder().encode('test-secret-test-secret-test-secret-0123456789');
const links = (origin?: string, key = deriveKey(secret, 'archive-url')) =>
  new ArchiveLinks(key, {} as SnapshotsRepository, {} as ObjectStorage, { origin, ttlSeconds: 120 });

function parts(url: string) {
  const u = new URL(url, 'http://api.invalid');
  return { u, exp: u.searchParams.get('exp') ?? undefined, sig: u.searchParams.get('sig') ?? undefined };
}

describe('signed archive URLs', () => {
  it('point at ARCHIVE_ORIGIN when configured, else at /archive on the API', () => {
    const id = randomUUID();
    const now = Date.now();
    const external = links('https://archive.linksnap.invalid/').sign(id, 'html', now);
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
});
