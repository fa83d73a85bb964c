import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, cachingResolver, type ResolvedAddress, resolveEgressTarget } from '../src/index.js';

/** A DNS server whose answer for every name the test changes; counts the queries it gets. */
function fakeDns(initial: ResolvedAddress[] | Error) {
  const dns = {
    answer: initial,
    queries: 0,
    resolver: async (_name: string): Promise<ResolvedAddress[]> => {
      dns.queries += 1;
      await new Promise((resolve) => setImmediate(resolve));
      if (dns.answer instanceof Error) throw dns.answer;
      return dns.answer;
    },
  };
  return dns;
}

const PUBLIC: ResolvedAddress[] = [{ address: '93.184.216.34', family: 4 }];
const PRIVATE: ResolvedAddress[] = [{ address: '10.0.0.5', family: 4 }];
const notFound = () => Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
const check = (resolver: ReturnType<typeof cachingResolver>) =>
  resolveEgressTarget('rebind.example', 443, { allow: [], resolver });
const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

describe('cachingResolver', () => {
  it('sends one query for concurrent lookups of the same name', async () => {
    const dns = fakeDns(PUBLIC);
    const resolver = cachingResolver(dns.resolver);
    const answers = await Promise.all([resolver('a.example'), resolver('a.example'), resolver('a.example')]);
    assert.deepEqual(answers, [PUBLIC, PUBLIC, PUBLIC]);
    assert.equal(dns.queries, 1);
    await resolver('b.example');
    assert.equal(dns.queries, 2, 'other names are looked up on their own');
  });

  it('reuses an answer until its TTL, then refuses a name that moved to a private address', async () => {
    const start = 1_000_000;
    let now = start;
    const dns = fakeDns(PUBLIC);
    const resolver = cachingResolver(dns.resolver, { ttlMs: 30_000, now: () => now });
    assert.deepEqual(await check(resolver), PUBLIC[0]);
    dns.answer = PRIVATE;
    now = start + 29_999;
    assert.deepEqual(await check(resolver), PUBLIC[0]);
    now = start + 30_000;
    await assert.rejects(check(resolver), isCode('SSRF_BLOCKED'));
  });

  it('reuses a failure for its own, shorter TTL', async () => {
    const start = 1_000_000;
    let now = start;
    const dns = fakeDns(notFound());
    const resolver = cachingResolver(dns.resolver, { ttlMs: 30_000, failureTtlMs: 5_000, now: () => now });
    await assert.rejects(check(resolver), isCode('DNS_FAILED'));
    dns.answer = PRIVATE;
    now = start + 4_999;
    await assert.rejects(check(resolver), isCode('DNS_FAILED'));
    now = start + 5_000;
    await assert.rejects(check(resolver), isCode('SSRF_BLOCKED'));
  });
});
