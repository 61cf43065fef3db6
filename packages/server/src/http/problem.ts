import { errorCodes, problemContentType, type ErrorCode, type Problem } from '@attune/contracts';
import type { FastifyReply } from 'fastify';

/** An expected failure to report as problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly field?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

export function problemBody(
  code: ErrorCode,
  detail: string,
  field?: string,
  extra: Record<string, unknown> = {},
): Problem {
  const { status, title } = errorCodes[code];
  return {
    type: `https://attune.dev/problems/${code.replaceAll('_', '-')}`,
    title,
    status,
    code,
    detail,
    ...(field === undefined ? {} : { field }),
    ...extra,
  };
}

export function sendProblem(
  reply: FastifyReply,
  code: ErrorCode,
  detail: string,
  field?: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const body = problemBody(code, detail, field, extra);
  if (body.status === 401) reply.header('www-authenticate', 'Basic realm="attune"');
  return reply.code(body.status).type(problemContentType).send(body);
}
