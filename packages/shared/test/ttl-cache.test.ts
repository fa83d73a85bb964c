import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TtlCache } from '../src/index.js';

describe('TtlCache', () => {
  it('answers until the expiry and forgets the entry from then on', () => {
    const cache = new TtlCache<string, number>(10);
    cache.set('a', 1, 1_000);
    assert.equal(cache.get('a', 999), 1);
    assert.equal(cache.get('a', 1_000), undefined);
    assert.equal(cache.size, 0);
  });

  it('never holds more than its bound, dropping the oldest insertion first', () => {
    const cache = new TtlCache<string, number>(2);
    cache.set('a', 1, 10);
    cache.set('b', 2, 10);
    cache.set('c', 3, 10);
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 0), undefined);
    assert.equal(cache.get('b', 0), 2);
    assert.equal(cache.get('c', 0), 3);
  });

  it('drops every entry a predicate matches', () => {
    const cache = new TtlCache<string, { id: string }>(10);
    cache.set('h1', { id: 'k1' }, 10);
    cache.set('h2', { id: 'k2' }, 10);
    cache.set('h3', { id: 'k1' }, 10);
    cache.deleteWhere((v) => v.id === 'k1');
    assert.deepEqual(
      ['h1', 'h2', 'h3'].map((k) => cache.get(k, 0)?.id),
      [undefined, 'k2', undefined],
    );
  });
});
