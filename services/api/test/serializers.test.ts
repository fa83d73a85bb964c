/** The compiled serializer of hot responses writes what the zod serializer writes. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { compileFastSerializer } from '../src/http/serializers.js';
import { jobView, linkCreated } from '../src/routes/response.schemas.js';

function both(schema: z.ZodType) {
  const zod = zodSerializerCompiler({ schema, method: 'GET', url: '/test', httpStatus: '200' } as never) as (
    data: unknown,
  ) => string;
  return { zod, fast: compileFastSerializer(schema) };
}

const id = randomUUID();
const sha = 'a'.repeat(64);

/** A finished job view with every optional part filled, plus fields no schema names. */
const finishedJob = {
  id,
  state: 'partial',
  progress: { stage: 'done', percent: 100, at: 5 },
  attempts: 2,
  error: {
    code: 'NAVIGATION_TIMEOUT',
    title: 'Navigation timed out',
    detail: 'after 30 s "quoted" \\ and\nnewline',
    stack: 'not in the schema',
  },
  errorCapture: true,
  snapshot: {
    id,
    linkId: randomUUID(),
    userId: randomUUID(),
    status: 'partial',
    requestedAt: '2026-01-02T03:04:05.678Z',
    attempts: 2,
    error: null,
    httpStatus: 404,
    errorCapture: true,
    finalUrl: 'https://example.test/ü?q=1',
    contentType: 'text/html',
    title: '标题 <b>',
    lang: 'zh',
    timings: { navigate: 1200.5, pdf: 300 },
    artifacts: [
      {
        kind: 'pdf',
        key: `snapshots/${id}/pdf.pdf`,
        contentType: 'application/pdf',
        bytes: 1234,
        sha256: sha,
        url: `/v1/snapshots/${id}/artifacts/pdf`,
        secret: 'not in the schema',
      },
    ],
    missing: [{ kind: 'mhtml', code: 'CAPTURE_FAILED', detail: 'no' }],
    startedAt: '2026-01-02T03:04:06.000Z',
    finishedAt: '2026-01-02T03:04:36.000Z',
    change: { text: 'changed', visual: 0.25, status: 'same' },
    source: 'capture',
    text: 'not in the schema either',
  },
  createdAt: '2026-01-02T03:04:05.678Z',
  finishedAt: '2026-01-02T03:04:36.000Z',
  internal: true,
};

describe('compiled response serializers', () => {
  it('write a job view exactly as the zod serializer does, dropping fields the schema does not name', () => {
    const { zod, fast } = both(jobView);
    assert.equal(fast(finishedJob), zod(finishedJob));
    const queued = {
      ...finishedJob,
      state: 'queued',
      progress: { stage: 'queued', percent: 0 },
      error: null,
      finishedAt: null,
      errorCapture: false,
      snapshot: {
        ...finishedJob.snapshot,
        timings: null,
        artifacts: [],
        missing: [],
        httpStatus: null,
        errorCapture: false,
        change: null,
      },
    };
    assert.equal(fast(queued), zod(queued));
    assert.equal(fast({ ...queued, snapshot: null }), zod({ ...queued, snapshot: null }));
    assert.equal(JSON.parse(fast(finishedJob)).snapshot.artifacts[0].secret, undefined);
  });

  it('write a created link exactly as the zod serializer does', () => {
    const { zod, fast } = both(linkCreated);
    const created = {
      link: {
        id,
        userId: randomUUID(),
        url: 'http://8.8.8.8/a?b=c',
        normalizedUrl: 'http://8.8.8.8/a?b=c',
        title: null,
        description: null,
        tags: [{ id: randomUUID(), name: 'Reading "list"' }],
        latestSnapshot: { id, status: 'queued' },
        lastGoodSnapshotId: null,
        schedule: null,
        nextCaptureAt: null,
        deadAt: null,
        createdAt: '2026-01-02T03:04:05.678Z',
        updatedAt: '2026-01-02T03:04:05.678Z',
      },
      snapshot: { id, linkId: randomUUID(), status: 'queued', requestedAt: '2026-01-02T03:04:05.678Z' },
    };
    assert.equal(fast(created), zod(created));
  });
});
