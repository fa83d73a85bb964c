/** Capture failures map to one catalog code each; the code alone decides retries. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '@linksnap/shared';
import { toCaptureError } from '../src/errors.js';

test('maps Chromium and puppeteer failures to catalog codes', () => {
  const cases: [string, string][] = [
    ['net::ERR_NAME_NOT_RESOLVED at http://x.example/', 'DNS_FAILED'],
    ['net::ERR_CONNECTION_REFUSED at http://127.0.0.1:1/', 'CONNECTION_FAILED'],
    ['net::ERR_CONNECTION_RESET at https://a.example/', 'CONNECTION_FAILED'],
    ['net::ERR_TUNNEL_CONNECTION_FAILED at https://a.example/', 'CONNECTION_FAILED'],
    ['net::ERR_SSL_PROTOCOL_ERROR at https://a.example/', 'TLS_FAILED'],
    ['net::ERR_CERT_AUTHORITY_INVALID at https://a.example/', 'TLS_FAILED'],
    ['Navigation timeout of 30000 ms exceeded', 'NAVIGATION_TIMEOUT'],
    ['Protocol error (Page.captureSnapshot): Target closed', 'BROWSER_CRASHED'],
    ['Page crashed!', 'BROWSER_CRASHED'],
    ['Navigating frame was detached', 'BROWSER_CRASHED'],
    ['something odd', 'CAPTURE_FAILED'],
  ];
  for (const [message, code] of cases) assert.equal(toCaptureError(new Error(message)).code, code, message);
  const timeout = Object.assign(new Error('Waiting failed'), { name: 'TimeoutError' });
  assert.equal(toCaptureError(timeout).code, 'NAVIGATION_TIMEOUT');
  const kept = new AppError('SSRF_BLOCKED', 'private');
  assert.equal(toCaptureError(kept), kept);
  assert.equal(toCaptureError(new AppError('STORAGE_UNAVAILABLE')).retryable, true);
});
