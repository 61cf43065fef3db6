import type { MessageType } from '@attune/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../http/problem.js';
import type { IngestionService } from './ingestion.service.js';

const successBody = '{"success":true}';

/** Runs one ingest request and answers as Segment does, with problem+json for bad input. */
export async function respond(
  reply: FastifyReply,
  endpoint: MessageType | 'batch',
  deps: { ingestion: IngestionService },
  request: FastifyRequest,
  imported = false,
): Promise<FastifyReply> {
  const result = await deps.ingestion.ingest({
    endpoint,
    rawBody: (request.body as string | undefined) ?? '',
    authorization: request.headers.authorization,
    gpc: sentGpc(request),
    imported,
  });
  if (result.kind === 'refused') {
    const { code, detail, field, retryAfterSeconds } = result.rejection;
    if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
    return sendProblem(reply, code, detail, field);
  }
  const first = result.rejected[0];
  if (first === undefined) return reply.type('application/json').send(successBody);
  if (endpoint !== 'batch')
    return sendProblem(reply, first.code as never, first.detail, first.field);
  const total = result.accepted + result.dropped + result.rejected.length;
  return sendProblem(
    reply,
    'batch_rejected',
    `${result.rejected.length} of ${total} messages were rejected and not stored; the other ${result.accepted + result.dropped} were accepted`,
    first.field,
    { accepted: result.accepted, rejected: result.rejected },
  );
}

/** Global Privacy Control: browsers send `Sec-GPC: 1` when the user opted out of sale/sharing. */
export function sentGpc(request: FastifyRequest): boolean {
  return request.headers['sec-gpc']?.toString().trim() === '1';
}
