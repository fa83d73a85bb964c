import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, ERROR_CATALOG, ERROR_CODES, PROBLEM_CONTENT_TYPE, toProblem, toStoredError } from '../src/index.js';

describe('error catalog', () => {
  it('holds every code the design names, each with status, title and retry policy', () => {
    const designed = [
      'VALIDATION_FAILED',
      'INVALID_URL',
      'UNAUTHENTICATED',
      'INVALID_CREDENTIALS',
      'NOT_FOUND',
      'LINK_ALREADY_EXISTS',
      'EMAIL_ALREADY_EXISTS',
      'TAG_ALREADY_EXISTS',
      'IDEMPOTENCY_KEY_REUSED',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'RATE_LIMITED',
      'SERVICE_UNAVAILABLE',
      'INTERNAL',
      'SSRF_BLOCKED',
      'DNS_FAILED',
      'CONNECTION_FAILED',
      'NAVIGATION_TIMEOUT',
      'BROWSER_CRASHED',
      'STORAGE_UNAVAILABLE',
      'UNSUPPORTED_CONTENT',
      'CONTENT_TOO_LARGE',
      'CAPTURE_FAILED',
    ];
    for (const code of designed) assert.ok(ERROR_CODES.includes(code as never), `${code} is missing`);
    for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
      assert.ok(entry.status >= 400 && entry.status < 600, code);
      assert.ok(entry.title.length > 5, code);
      assert.equal(typeof entry.retryable, 'boolean', code);
    }
  });

  it('marks transient capture failures retryable and policy failures not', () => {
    for (const code of [
      'DNS_FAILED',
      'CONNECTION_FAILED',
      'TLS_FAILED',
      'NAVIGATION_TIMEOUT',
      'BROWSER_CRASHED',
      'STORAGE_UNAVAILABLE',
    ] as const) {
      assert.equal(new AppError(code).retryable, true, code);
    }
    for (const code of ['SSRF_BLOCKED', 'INVALID_URL', 'UNSUPPORTED_CONTENT', 'CONTENT_TOO_LARGE'] as const) {
      assert.equal(new AppError(code).retryable, false, code);
    }
  });
});

describe('problem+json', () => {
  it('serialises an AppError as RFC 9457 with code, request id and field pointers', () => {
    const err = new AppError('VALIDATION_FAILED', 'url is required', {
      errors: [{ pointer: '/url', detail: 'Required' }],
    });
    const doc = toProblem(err, { instance: '/v1/links', requestId: 'req-1' });
    assert.deepEqual(doc, {
      type: '/problems/validation-failed',
      title: ERROR_CATALOG.VALIDATION_FAILED.title,
      status: 400,
      detail: 'url is required',
      code: 'VALIDATION_FAILED',
      instance: '/v1/links',
      requestId: 'req-1',
      errors: [{ pointer: '/url', detail: 'Required' }],
    });
    assert.equal(PROBLEM_CONTENT_TYPE, 'application/problem+json');
  });

  it('never leaks the message or stack of an unknown error', () => {
    const doc = toProblem(new Error('relation "users" does not exist at /srv/app.js:10'), { requestId: 'r' });
    assert.equal(doc.status, 500);
    assert.equal(doc.code, 'INTERNAL');
    const text = JSON.stringify(doc);
    assert.doesNotMatch(text, /relation|users|app\.js/);
    assert.match(doc.detail, /request id/);
  });

  it('keeps extensions such as the existing link id of a conflict', () => {
    const doc = toProblem(new AppError('LINK_ALREADY_EXISTS', 'saved before', { extensions: { linkId: 'abc' } }));
    assert.equal(doc.linkId, 'abc');
    assert.equal(doc.status, 409);
  });

  it('stores capture errors with their catalog title', () => {
    assert.deepEqual(toStoredError('DNS_FAILED', 'no such host'), {
      code: 'DNS_FAILED',
      title: ERROR_CATALOG.DNS_FAILED.title,
      detail: 'no such host',
    });
  });
});
