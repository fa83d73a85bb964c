import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, classifyAddress, type Resolver, resolveEgressTarget } from '../src/index.js';

describe('classifyAddress', () => {
  const blocked: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
    ['::ffff:169.254.169.254', 'ipv4Mapped(linkLocal)'],
    ['[::ffff:7f00:1]', 'ipv4Mapped(loopback)'],
    ['2002:7f00:1::', '6to4(loopback)'],
    ['2002:a00:1::', '6to4(private)'],
    ['64:ff9b::7f00:1', 'rfc6052(loopback)'],
    ['::127.0.0.1', 'ipv4Mapped(loopback)'],
    ['not-an-ip', 'invalid'],
  ];
  for (const [address, range] of blocked) {
    it(`blocks ${address} (${range})`, () => {
      assert.deepEqual(classifyAddress(address), { allowed: false, range });
    });
  }
  for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111', '::ffff:93.184.216.34']) {
    it(`allows the public address ${address}`, () => assert.equal(classifyAddress(address).allowed, true));
  }
});

describe('resolveEgressTarget', () => {
  const resolverOf =
    (table: Record<string, string[]>): Resolver =>
    async (name) => {
      const answers = table[name];
      if (!answers) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

  const expectCode = async (promise: Promise<unknown>, code: string) => {
    await assert.rejects(promise, (err: unknown) => err instanceof AppError && err.code === code);
  };

  it('refuses a public-looking name that resolves to loopback', async () => {
    const resolver = resolverOf({ 'innocent.example': ['127.0.0.1'] });
    await expectCode(resolveEgressTarget('innocent.example', 80, { allow: [], resolver }), 'SSRF_BLOCKED');
  });

  it('returns the public address to connect to when a name has public and private answers', async () => {
    const resolver = resolverOf({ 'mixed.example': ['10.0.0.5', '93.184.216.34'] });
    const target = await resolveEgressTarget('mixed.example', 443, { allow: [], resolver });
    assert.equal(target.address, '93.184.216.34');
  });

  it('refuses localhost names without asking DNS', async () => {
    let asked = 0;
    const resolver: Resolver = async () => {
      asked += 1;
      return [{ address: '93.184.216.34', family: 4 }];
    };
    for (const name of ['localhost', 'LOCALHOST.', 'app.localhost']) {
      await expectCode(resolveEgressTarget(name, 80, { allow: [], resolver }), 'SSRF_BLOCKED');
    }
    assert.equal(asked, 0);
  });

  it('refuses literal private addresses, bracketed IPv6 included', async () => {
    for (const host of ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '169.254.169.254', '0.0.0.0']) {
      await expectCode(resolveEgressTarget(host, 80, { allow: [] }), 'SSRF_BLOCKED');
    }
  });

  it('lets only the exact allow-listed host:port through', async () => {
    const target = await resolveEgressTarget('127.0.0.1', 8080, { allow: ['127.0.0.1:8080'] });
    assert.equal(target.address, '127.0.0.1');
    await expectCode(resolveEgressTarget('127.0.0.1', 8081, { allow: ['127.0.0.1:8080'] }), 'SSRF_BLOCKED');
  });

  it('reports an unresolvable name as DNS_FAILED', async () => {
    await expectCode(resolveEgressTarget('nowhere.example', 80, { allow: [], resolver: resolverOf({}) }), 'DNS_FAILED');
  });

  it('checks each answer it is given: a rebinding second answer is refused', async () => {
    let calls = 0;
    const resolver: Resolver = async () => {
      calls += 1;
      return [{ address: calls === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    const first = await resolveEgressTarget('rebind.example', 80, { allow: [], resolver });
    assert.equal(first.address, '93.184.216.34');
    await expectCode(resolveEgressTarget('rebind.example', 80, { allow: [], resolver }), 'SSRF_BLOCKED');
  });
  it('with allowOnly, refuses even a public address that is not allow-listed, without asking DNS', async () => {
    let asked = 0;
    const resolver: Resolver = async () => {
      asked += 1;
      return [{ address: '93.184.216.34', family: 4 }];
    };
    const options = { allow: ['127.0.0.1:8080'], allowOnly: true, resolver };
    await expectCode(resolveEgressTarget('public.example', 443, options), 'SSRF_BLOCKED');
    await expectCode(resolveEgressTarget('93.184.216.34', 443, options), 'SSRF_BLOCKED');
    assert.equal(asked, 0);
    assert.equal((await resolveEgressTarget('127.0.0.1', 8080, options)).address, '127.0.0.1');
  });
});
