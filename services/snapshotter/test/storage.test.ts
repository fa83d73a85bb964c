/**
 * Storing artifacts while the capture goes on (storage.ts: storeArtifacts), on the embedded S3
 * server: early writes, the output order, the stale-attempt check before every write, and the
 * removal of a failed attempt's objects.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type ObjectStorage, parseConfig, storageFromConfig } from '@linksnap/shared';
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

test('an artifact offered early is stored before the capture ends; all() keeps the output order', async () => {
  let checks = 0;
  const uploads = storeArtifacts(storage, 'early', async () => {
    checks++;
    return false;
  });
  const pdf = artifact('pdf', 'pdf body');
  uploads.store(pdf);
  // Stored without anyone asking for it again.
  for (let i = 0; i < 100 && !(await storage.exists('snapshots/early/pdf.pdf')); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal((await storage.getBuffer('snapshots/early/pdf.pdf')).toString(), 'pdf body');

  const html = artifact('html', 'html body');
  const report = artifact('report', '{}');
  const stored = await uploads.all([html, pdf, report]);
  assert.deepEqual(
    stored?.map((a) => a.kind),
    ['html', 'pdf', 'report'],
  );
  // One check for the early artifact, one shared by the two stored at the end.
  assert.equal(checks, 2);
  assert.deepEqual((await storage.list('snapshots/early/')).sort(), [
    'snapshots/early/html.html',
    'snapshots/early/pdf.pdf',
    'snapshots/early/report.json',
  ]);
});

test('a stale attempt writes nothing and all() says so', async () => {
  const uploads = storeArtifacts(storage, 'stale', async () => true);
  uploads.store(artifact('screenshot', 'png'));
  assert.equal(await uploads.all([artifact('html', 'html')]), null);
  assert.deepEqual(await storage.list('snapshots/stale/'), []);
});

test('discard removes what the attempt wrote, unless another attempt has the job', async () => {
  let stale = false;
  const mine = storeArtifacts(storage, 'failed', async () => stale);
  mine.store(artifact('screenshot', 'png'));
  mine.store(artifact('pdf', 'pdf'));
  await mine.settled();
  assert.equal((await storage.list('snapshots/failed/')).length, 2);
  await mine.discard();
  assert.deepEqual(await storage.list('snapshots/failed/'), []);

  // Taken over: the objects under these keys are the other attempt's now.
  const taken = storeArtifacts(storage, 'taken', async () => stale);
  taken.store(artifact('pdf', 'pdf'));
  await taken.settled();
  stale = true;
  await taken.discard();
  assert.deepEqual(await storage.list('snapshots/taken/'), ['snapshots/taken/pdf.pdf']);
});
