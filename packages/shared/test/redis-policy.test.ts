/** The Redis eviction-policy decision: BullMQ needs `noeviction`; production refuses anything else. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEvictionPolicy, decideEvictionPolicy } from '../src/redis.js';

describe('Redis maxmemory-policy check', () => {
  it('accepts noeviction in every environment', () => {
    for (const env of ['development', 'test', 'production']) {
      assert.equal(decideEvictionPolicy('noeviction', env).action, 'ok');
    }
  });

  it('warns on an evicting policy outside production and refuses it in production', () => {
    for (const policy of ['allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl', 'allkeys-lfu']) {
      const dev = decideEvictionPolicy(policy, 'development');
      assert.equal(dev.action, 'warn');
      assert.match(dev.action === 'warn' ? dev.message : '', /noeviction/);
      assert.equal(decideEvictionPolicy(policy, 'test').action, 'warn');
      assert.equal(decideEvictionPolicy(policy, 'production').action, 'refuse');
    }
  });

  it('only warns when CONFIG is unavailable, even in production', () => {
    assert.equal(decideEvictionPolicy(null, 'production').action, 'warn');
    assert.equal(decideEvictionPolicy(null, 'development').action, 'warn');
  });

  it('reads the policy, tolerates a disabled CONFIG command and throws on refusal', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_: object, msg: string) => warnings.push(msg) };
    const answering = (policy: string) => ({ config: async () => ['maxmemory-policy', policy] });
    assert.equal((await checkEvictionPolicy(answering('noeviction'), 'production', logger)).action, 'ok');
    assert.equal(warnings.length, 0);
    assert.equal((await checkEvictionPolicy(answering('allkeys-lru'), 'development', logger)).action, 'warn');
    await assert.rejects(checkEvictionPolicy(answering('allkeys-lru'), 'production', logger), /noeviction/);
    const disabled = {
      config: async () => {
        throw new Error("ERR unknown command 'CONFIG'");
      },
    };
    assert.equal((await checkEvictionPolicy(disabled, 'production', logger)).action, 'warn');
    const hanging = { config: () => new Promise<unknown>(() => {}) };
    assert.equal((await checkEvictionPolicy(hanging, 'production', logger, 100)).action, 'warn');
    assert.equal(warnings.length, 4);
  });
});
