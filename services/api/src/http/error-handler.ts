/**
 * The one place errors become responses: everything thrown is turned into RFC 9457
 * problem+json by `toProblem`, with the request id and path. 5xx bodies never leak internals.
 */
import { AppError, PROBLEM_CONTENT_TYPE, toProblem } from '@linksnap/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDependencyDown } from '../db/errors.js';

function zodValidationError(err: FastifyError): AppError {
  const issues = (err.validation ?? []) as { instancePath?: string; message?: string }[];
  const errors = issues.map((i) => ({ pointer: i.instancePath || '/', detail: i.message ?? 'is invalid' }));
  return new AppError('VALIDATION_FAILED', 'The request does not match the schema.', { errors });
}

/** Maps framework, validation and driver errors onto the catalog. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) return zodValidationError(fe);
  switch (fe?.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('VALIDATION_FAILED', 'The request body is not valid JSON.');
  }
  if (fe?.validation) {
    return new AppError('VALIDATION_FAILED', 'The request does not match the schema.', {
      errors: fe.validation.map((v) => ({ pointer: v.instancePath || '/', detail: v.message ?? 'is invalid' })),
    });
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) {
    return new AppError('VALIDATION_FAILED', 'The request body is not valid JSON.');
  }
  if (isDependencyDown(err)) {
    return new AppError('SERVICE_UNAVAILABLE', 'A dependency is unavailable. Try again shortly.', {
      retryAfter: 5,
      cause: err,
    });
  }
  if (fe?.statusCode === 404) return new AppError('NOT_FOUND');
  if (fe?.statusCode === 405) return new AppError('METHOD_NOT_ALLOWED');
  return new AppError('INTERNAL', undefined, { cause: err });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, appError: AppError): FastifyReply {
  const problem = toProblem(appError, { instance: request.url.split('?')[0], requestId: String(request.id) });
  if (appError.headers) reply.headers(appError.headers);
  const retryAfter = appError.retryAfter ?? (appError.status === 503 ? 5 : undefined);
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  if (appError.code === 'UNAUTHENTICATED') reply.header('WWW-Authenticate', 'Bearer');
  return reply.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const appError = toAppError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    else if (appError.status >= 500)
      request.log.warn({ err: appError.cause ?? err, code: appError.code }, 'request failed');
    return sendProblem(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      request,
      reply,
      new AppError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`),
    ),
  );
}
