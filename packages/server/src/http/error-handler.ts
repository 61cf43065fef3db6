import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { StorageUnavailableError } from '../adapters/sqlite/log-writer-client.js';
import { ingestLimits } from '@attune/contracts';
import { ProblemError, sendProblem } from './problem.js';

/** Every error leaves as problem+json; only real faults are 5xx. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) {
      return sendProblem(reply, error.code, error.detail, error.field, error.extra);
    }
    if (error instanceof StorageUnavailableError) {
      request.log.error({ err: error }, 'event log unavailable');
      reply.header('retry-after', '1');
      return sendProblem(
        reply,
        'storage_unavailable',
        'The event log cannot take writes right now; retry shortly',
      );
    }
    if (error.validation !== undefined) {
      const first = error.validation[0];
      const named = first?.params?.['missingProperty'] ?? first?.params?.['additionalProperty'];
      const path = `${first?.instancePath ?? ''}${typeof named === 'string' ? `/${named}` : ''}`;
      return sendProblem(
        reply,
        'invalid_request',
        `${error.validationContext ?? 'request'}${path} ${first?.message ?? 'is invalid'}`,
        path || undefined,
      );
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(
          reply,
          'payload_too_large',
          `The request body exceeds the limit of ${request.routeOptions.bodyLimit ?? ingestLimits.maxBatchBytes} bytes`,
        );
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(
          reply,
          'unsupported_media_type',
          `Send application/json; got ${request.headers['content-type'] ?? 'no content type'}`,
        );
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, 'invalid_json', 'The request body is not valid JSON');
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, 'invalid_request', 'Content-Length does not match the body');
      default:
        break;
    }
    if (
      error.name === 'SyntaxError' ||
      error.code === 'Z_DATA_ERROR' ||
      error.code === 'Z_BUF_ERROR'
    ) {
      return sendProblem(
        reply,
        'invalid_json',
        `The request body could not be read: ${error.message}`,
      );
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, 'invalid_request', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendProblem(
      reply,
      'internal_error',
      'Something went wrong on our side; the error was logged',
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, 'not_found', `No route ${request.method} ${request.url.split('?')[0]}`),
  );
}

/**
 * Fastify's `frameworkErrors`: the router answers a malformed URL (`%E0%A4%A`) or an
 * over-long path parameter before any handler runs, with Fastify's own JSON; this makes
 * those answers problem+json like every other error.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = request.url.split('?')[0] ?? '';
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      void sendProblem(reply, 'invalid_request', `The URL ${shown} is not validly encoded`);
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      void sendProblem(reply, 'uri_too_long', `A path parameter of ${shown} is too long`);
      return;
    default:
      request.log.error({ err: error }, 'router error');
      void sendProblem(
        reply,
        'internal_error',
        'Something went wrong on our side; the error was logged',
      );
  }
}
