/**
 * Turns whatever a capture throws (Chromium net errors, puppeteer protocol errors, timeouts,
 * storage failures) into one catalog code. The code alone decides retries, in the processor.
 */
import { AppError, type ErrorCode } from '@linksnap/shared';

const RULES: [RegExp, ErrorCode][] = [
  [/net::ERR_(NAME_NOT_RESOLVED|NAME_RESOLUTION_FAILED)/, 'DNS_FAILED'],
  [
    /net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|CONNECTION_FAILED|ADDRESS_UNREACHABLE|TUNNEL_CONNECTION_FAILED|PROXY_CONNECTION_FAILED|EMPTY_RESPONSE|SOCKET_NOT_CONNECTED)/,
    'CONNECTION_FAILED',
  ],
  [/net::ERR_(SSL_|CERT_|BAD_SSL_)/, 'TLS_FAILED'],
  [
    /net::ERR_(TIMED_OUT|CONNECTION_TIMED_OUT)|Navigation timeout|Timeout hit|timed out|TimeoutError/i,
    'NAVIGATION_TIMEOUT',
  ],
  [
    /Target closed|Browser closed|Session closed|Page crashed|has been closed|browser has disconnected|Connection closed|detached Frame|Navigating frame was detached|Unable to get browser page|Unable to restart chrome|Protocol error.*(closed|detached)/i,
    'BROWSER_CRASHED',
  ],
];

/** Classifies an error thrown during capture, keeping AppErrors as they are. */
export function toCaptureError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'TimeoutError') {
    return new AppError('NAVIGATION_TIMEOUT', message, { cause: err });
  }
  if (err instanceof Error && err.name === 'S3Error') {
    return new AppError('STORAGE_UNAVAILABLE', message, { cause: err });
  }
  for (const [pattern, code] of RULES) {
    if (pattern.test(message)) return new AppError(code, message, { cause: err });
  }
  return new AppError('CAPTURE_FAILED', message, { cause: err });
}
