import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringCache } from '../src/index.js';

describe('ExpiringCache', () => {
  it('answers until the expiry and forgets the entry from then on', () => {
    let now = 1_000;
    const cache = new ExpiringCache<string, number>(10, () => now);
    cache.set('a', 1, 2_000);
    now = 1_999;
    assert.equal(cache.get('a'), 1);
    now = 2_000;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
  });

  it('keeps an entry set to expire at Infinity, and does not keep one already expired', () => {
    let now = 1_000;
    const cache = new ExpiringCache<string, number>(10, () => now);
    cache.set('forever', 1, Number.POSITIVE_INFINITY);
    cache.set('past', 2, 1_000);
    cache.set('next-ms', 3, 1_001);
    now = 10_000_000;
    assert.equal(cache.get('forever'), 1);
    assert.equal(cache.get('past'), undefined);
    assert.equal(cache.get('next-ms'), undefined);
  });

  it('never holds more than its bound, dropping the least recently used first', () => {
    const cache = new ExpiringCache<string, number>(2, () => 1_000);
    cache.set('a', 1, 5_000);
    cache.set('b', 2, 5_000);
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3, 5_000);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
  });

  it('drops every entry a predicate matches', () => {
    const cache = new ExpiringCache<string, { id: string }>(10, () => 1_000);
    cache.set('h1', { id: 'k1' }, 5_000);
    cache.set('h2', { id: 'k2' }, 5_000);
    cache.set('h3', { id: 'k1' }, 5_000);
    cache.deleteWhere((v) => v.id === 'k1');
    assert.deepEqual(
      ['h1', 'h2', 'h3'].map((k) => cache.get(k)?.id),
      [undefined, 'k2', undefined],
    );
  });
});
