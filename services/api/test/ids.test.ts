import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { snapshotJobSchema } from '@linksnap/shared';
import { isUuid } from '../src/db/errors.js';
import { timeOrderedId } from '../src/domain/ids.js';

const instant = (id: string) => Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('ids of links and snapshots', () => {
  it('are version 7 UUIDs that carry their creation time', () => {
    const before = Date.now();
    const id = timeOrderedId();
    const after = Date.now();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.ok(isUuid(id));
    assert.ok(instant(id) >= before && instant(id) <= after, `${instant(id)} not in [${before}, ${after}]`);
    const job = { linkId: id, userId: id, url: 'http://8.8.8.8/', requestedAt: new Date(before).toISOString() };
    assert.ok(snapshotJobSchema.safeParse({ ...job, snapshotId: id }).success, 'the job contract accepts them');
  });

  it('sort in creation order and differ within the same millisecond', async () => {
    const ids = Array.from({ length: 1000 }, () => timeOrderedId());
    await new Promise((r) => setTimeout(r, 2));
    ids.push(timeOrderedId());
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
  });
});
