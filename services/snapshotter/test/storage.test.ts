/**
 * Storing artifacts while the capture goes on (storage.ts: storeArtifacts), on the embedded S3
 * server: early writes, the output order, the stale-attempt check before every write, and
 * content addressing (ADR 0017): a body is stored under its sha256, once however often captured.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { blobKey, type ObjectStorage, parseConfig, storageFromConfig } from '@linksnap/shared';
import { startTestS3, testEnv } from '../../../test/support/services.js';
import type { CapturedArtifact } from '../src/capture/index.js';
import { storeArtifacts } from '../src/storage.js';

let s3: Awaited<ReturnType<typeof startTestS3>>;
let storage: ObjectStorage;

before(async () => {
  s3 = await startTestS3();
  storage = storageFromConfig(parseConfig(testEnv({ s3, databaseUrl: null })));
  await storage.ensureBucket();
});
after(async () => {
  await s3?.close();
});

const artifact = (kind: CapturedArtifact['kind'], text: string): CapturedArtifact => ({
  kind,
  body: Buffer.from(text),
});
const keyOf = (text: string) => blobKey(createHash('sha256').update(text).digest('hex'));

test('an artifact offered early is stored before the capture ends; all() keeps the output order', async () => {
  let checks = 0;
  const uploads = storeArtifacts(storage, async () => {
    checks++;
    return false;
  });
  const pdf = artifact('pdf', 'early pdf body');
  uploads.store(pdf);
  // Stored without anyone asking for it again.
  for (let i = 0; i < 100 && !(await storage.exists(keyOf('early pdf body'))); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal((await storage.getBuffer(keyOf('early pdf body'))).toString(), 'early pdf body');

  const html = artifact('html', 'early html body');
  const report = artifact('report', '{"early":1}');
  const stored = await uploads.all([html, pdf, report]);
  assert.deepEqual(
    stored?.map((a) => [a.kind, a.key]),
    [
      ['html', keyOf('early html body')],
      ['pdf', keyOf('early pdf body')],
      ['report', keyOf('{"early":1}')],
    ],
  );
  // One check for the early artifact, one shared by the two stored at the end.
  assert.equal(checks, 2);
});

test('a stale attempt writes nothing and all() says so', async () => {
  const uploads = storeArtifacts(storage, async () => true);
  uploads.store(artifact('screenshot', 'stale png'));
  assert.equal(await uploads.all([artifact('html', 'stale html')]), null);
  assert.equal(await storage.exists(keyOf('stale png')), false);
  assert.equal(await storage.exists(keyOf('stale html')), false);
});

test('the same body captured twice is one object, re-written (fresh time) by the second capture', async () => {
  const first = await storeArtifacts(storage, async () => false).all([artifact('pdf', 'same bytes')]);
  const [before] = await storage.listDetailed(keyOf('same bytes'));
  await new Promise((r) => setTimeout(r, 1_100)); // S3 times have one-second resolution
  const second = await storeArtifacts(storage, async () => false).all([artifact('mhtml', 'same bytes')]);
  assert.equal(first?.[0]?.key, second?.[0]?.key);
  const listed = await storage.listDetailed(keyOf('same bytes'));
  assert.equal(listed.length, 1);
  assert.ok(before && listed[0] && listed[0].lastModified > before.lastModified, 'the object time moves on');
});
