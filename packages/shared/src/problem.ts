/**
 * RFC 9457 problem details. The only error body the API ever sends.
 */
import { AppError, ERROR_CATALOG, type ErrorCode, type FieldError, isAppError } from './errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemContext {
  /** The request path, used as `instance`. */
  instance?: string;
  requestId?: string;
}

export function problemType(code: ErrorCode): string {
  return `/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * Turns anything thrown into a problem document. Unknown errors become INTERNAL with a
 * generic detail: their message, stack or SQL never reach the client.
 */
export function toProblem(err: unknown, ctx: ProblemContext = {}): ProblemDocument {
  const appError = isAppError(err) ? err : new AppError('INTERNAL');
  const entry = ERROR_CATALOG[appError.code];
  const detail =
    entry.status >= 500 && appError.code === 'INTERNAL'
      ? 'An unexpected error occurred. Quote the request id when reporting it.'
      : appError.detail;
  const doc: ProblemDocument = {
    ...(appError.extensions ?? {}),
    type: problemType(appError.code),
    title: entry.title,
    status: entry.status,
    detail,
    code: appError.code,
  };
  if (ctx.instance !== undefined) doc.instance = ctx.instance;
  if (ctx.requestId !== undefined) doc.requestId = ctx.requestId;
  if (appError.errors && appError.errors.length > 0) doc.errors = appError.errors;
  return doc;
}
