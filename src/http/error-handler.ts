import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Contract } from '../api/contract.js';
import { UnknownCursorError } from '../api/pagination.js';
import { toValidationError } from '../api/validation-error.js';
import { ApiError, errors } from '../errors.js';

/**
 * The one place errors become responses, always in OpenAI's shape: our own ApiErrors render
 * themselves; framework errors (validation, bodies, multipart limits) map onto the catalog;
 * anything else is a 500 that does not leak its message.
 */
export function createErrorHandler(contract: Contract) {
  return function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
    const apiError = toApiError(error, request, contract);
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(apiError.status).send(apiError.toBody());
  };
}

export function toApiError(error: FastifyError | Error, request: FastifyRequest, contract: Contract): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof UnknownCursorError) {
    return errors.unknownCursor(error.param, error.id);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return toValidationError(fastifyError.validation, contract.discriminatorValues);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedContentType(String(request.headers['content-type'] ?? ''), 'application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.bodyTooLarge(request.routeOptions.bodyLimit ?? 0);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.invalidJson();
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return errors.unsupportedContentType(String(request.headers['content-type'] ?? ''), 'multipart/form-data');
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return errors.tooManyParts(error.message);
  }
  if (error instanceof SyntaxError) return errors.frameworkError(400, error.message);
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return errors.frameworkError(fastifyError.statusCode, error.message);
  }
  return errors.internal();
}
