/** Recognises driver errors through drizzle's wrapping (DrizzleQueryError keeps the cause). */
import { NETWORK_ERROR_CODES } from '@linksnap/shared';

function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  let current: unknown = err;
  for (let i = 0; i < 5 && current !== undefined && current !== null; i++) {
    out.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return out;
}

/** The SQLSTATE of a PostgreSQL error, if any (same on `postgres` and PGlite). */
export function sqlState(err: unknown): string | undefined {
  for (const e of chain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const isUniqueViolation = (err: unknown) => sqlState(err) === '23505';

const CONNECTION_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  // The `postgres` driver's own, and PostgreSQL's "shutting down", "starting up", "too many clients".
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P03',
  '53300',
]);

/** True when a dependency (PostgreSQL, Redis, S3) could not be reached, not when a query was wrong. */
export function isDependencyDown(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
    const name = (e as { name?: unknown }).name;
    const message = (e as { message?: unknown }).message;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (
      typeof message === 'string' &&
      /Connection is closed|Stream isn't writeable|enableOfflineQueue|Command timed out/.test(message)
    ) {
      return true;
    }
  }
  return false;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID_RE.test(value);
