/**
 * The error catalog: every failure the platform can report, in the API and in capture jobs.
 * Each code has one HTTP status, one human title and one retry policy. Nothing else in the
 * code base invents error shapes; services throw `AppError(code, detail)`.
 */

export interface CatalogEntry {
  readonly status: number;
  readonly title: string;
  /** Whether trying the same thing again later may succeed (drives BullMQ retries). */
  readonly retryable: boolean;
}

export const ERROR_CATALOG = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid', retryable: false },
  INVALID_QUERY: { status: 400, title: 'The search query cannot be run', retryable: false },
  INVALID_URL: { status: 400, title: 'The URL is not a valid http(s) address', retryable: false },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required', retryable: false },
  INVALID_CREDENTIALS: { status: 401, title: 'Email or password is wrong', retryable: false },
  FORBIDDEN: { status: 403, title: 'This action is not allowed for this account', retryable: false },
  SIGNUPS_DISABLED: { status: 403, title: 'Sign-up is closed on this instance', retryable: false },
  NOT_FOUND: { status: 404, title: 'The resource does not exist', retryable: false },
  METHOD_NOT_ALLOWED: { status: 405, title: 'This method is not allowed here', retryable: false },
  LINK_ALREADY_EXISTS: { status: 409, title: 'This link is already saved', retryable: false },
  EMAIL_ALREADY_EXISTS: { status: 409, title: 'An account with this email already exists', retryable: false },
  TAG_ALREADY_EXISTS: { status: 409, title: 'A tag with this name already exists', retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large', retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported', retryable: false },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'The idempotency key was already used with a different request',
    retryable: false,
  },
  RATE_LIMITED: { status: 429, title: 'Too many requests', retryable: true },
  INTERNAL: { status: 500, title: 'An internal error occurred', retryable: true },
  SERVICE_UNAVAILABLE: { status: 503, title: 'A dependency is unavailable', retryable: true },
  // Capture failures. They are stored on jobs and snapshots; at submit time SSRF_BLOCKED is a 400.
  SSRF_BLOCKED: { status: 400, title: 'The address is on a private or reserved network', retryable: false },
  DNS_FAILED: { status: 502, title: 'The host name could not be resolved', retryable: true },
  CONNECTION_FAILED: { status: 502, title: 'The server could not be reached', retryable: true },
  // Handshake failures are often transient (a reset mid-handshake, a certificate being rotated).
  TLS_FAILED: { status: 502, title: 'A secure connection to the server could not be made', retryable: true },
  NAVIGATION_TIMEOUT: { status: 504, title: 'The page did not load in time', retryable: true },
  BROWSER_CRASHED: { status: 502, title: 'The browser crashed while capturing', retryable: true },
  STORAGE_UNAVAILABLE: { status: 503, title: 'Object storage is unavailable', retryable: true },
  UNSUPPORTED_CONTENT: { status: 422, title: 'The content type cannot be captured', retryable: false },
  CONTENT_TOO_LARGE: { status: 422, title: 'The response is larger than the capture limit', retryable: false },
  CAPTURE_FAILED: { status: 500, title: 'The capture failed', retryable: false },
  // Archive (WACZ) verification.
  ARCHIVE_INVALID: { status: 422, title: 'The file is not a readable WACZ archive', retryable: false },
  ARCHIVE_TAMPERED: {
    status: 422,
    title: 'The archive was changed after it was signed, or its signature does not verify',
    retryable: false,
  },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/** One failed field of a validation error, located by a JSON pointer (RFC 6901). */
export interface FieldError {
  pointer: string;
  detail: string;
}

export interface AppErrorOptions {
  errors?: FieldError[];
  /** Seconds, sent as `Retry-After` on 429/503. */
  retryAfter?: number;
  /** Extra members for the problem document (e.g. the existing link's id on a 409). */
  extensions?: Record<string, unknown>;
  /** Extra response headers, e.g. `Location` of an existing resource. */
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly retryable: boolean;
  readonly detail: string;
  readonly errors?: FieldError[];
  readonly retryAfter?: number;
  readonly extensions?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, options: AppErrorOptions = {}) {
    const entry = ERROR_CATALOG[code];
    super(detail ?? entry.title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.title = entry.title;
    this.retryable = entry.retryable;
    this.detail = detail ?? entry.title;
    this.errors = options.errors;
    this.retryAfter = options.retryAfter;
    this.extensions = options.extensions;
    this.headers = options.headers;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** The error as stored on jobs and snapshot rows and shown by `GET /v1/jobs/{id}`. */
export interface StoredError {
  code: ErrorCode;
  title: string;
  detail: string;
}

export function toStoredError(code: ErrorCode, detail?: string | null): StoredError {
  return { code, title: ERROR_CATALOG[code].title, detail: detail ?? ERROR_CATALOG[code].title };
}

/** Socket-level error codes: the peer could not be reached, which says nothing about the request. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
