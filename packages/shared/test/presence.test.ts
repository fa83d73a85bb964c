/** Snapshotter presence in real Redis: published, read back, forgotten when stopped or silent. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../../../test/support/services.js';
import { PRESENCE_TTL_MS, presenceKey, readPresence, type SnapshotterStatus, startPresence } from '../src/presence.js';
import { redisOptions } from '../src/redis.js';

const redis = new Redis(redisOptions(TEST_REDIS_URL));
const prefix = `presence-test-${randomUUID()}`;
after(async () => {
  await redis.del(presenceKey(prefix));
  redis.disconnect();
});

const status = (id: string): Omit<SnapshotterStatus, 'seenAt'> => ({
  id,
  startedAt: new Date().toISOString(),
  adblock: 'on',
  adblockFilters: 42,
  concurrency: 2,
  maxConcurrency: 4,
});

describe('snapshotter presence', () => {
  it('lists a publishing worker until it stops, with the status it gave', async () => {
    const presence = startPresence(redis, prefix, () => status('host:1'), { intervalMs: 50 });
    await presence.publish();
    const [listed] = await readPresence(redis, prefix);
    assert.equal(listed?.id, 'host:1');
    assert.equal(listed?.adblockFilters, 42);
    assert.ok(Date.now() - Date.parse(listed?.seenAt ?? '') < 5_000);
    await presence.stop();
    assert.deepEqual(await readPresence(redis, prefix), []);
    // No rewrite after the stop brings it back.
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(await readPresence(redis, prefix), []);
  });

  it('drops workers silent for longer than the TTL, and entries it cannot read', async () => {
    const key = presenceKey(prefix);
    const old = new Date(Date.now() - PRESENCE_TTL_MS - 1_000).toISOString();
    await redis.hset(key, 'host:2', JSON.stringify({ ...status('host:2'), seenAt: old }));
    await redis.hset(key, 'host:3', '{"id":');
    await redis.hset(key, 'host:4', JSON.stringify({ ...status('host:4'), seenAt: new Date().toISOString() }));
    assert.deepEqual(
      (await readPresence(redis, prefix)).map((s) => s.id),
      ['host:4'],
    );
    assert.deepEqual(await redis.hkeys(key), ['host:4']);
  });

  it('never throws while Redis is unreachable', async () => {
    const errors: unknown[] = [];
    const dead = new Redis({ ...redisOptions('redis://127.0.0.1:9'), maxRetriesPerRequest: 0, lazyConnect: true });
    dead.on('error', () => {});
    const presence = startPresence(dead, prefix, () => status('host:5'), { onError: (err) => errors.push(err) });
    await presence.publish();
    await presence.stop();
    assert.ok(errors.length >= 1, 'the failed writes were reported');
    dead.disconnect();
  });
});
