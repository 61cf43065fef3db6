import { BatchRequest, ImportResult, ingestLimits } from '@attune/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../http/problem.js';
import type { IngestionService } from './ingestion.service.js';
import { respond, sentGpc } from './respond.js';

export interface ImportRouteDeps {
  ingestion: IngestionService;
  observeLatency(seconds: number, endpoint: string): void;
  /** Largest JSONL upload, after decompression. */
  importMaxBytes: number;
}

/** Content types that make /v1/import a JSONL upload; anything else is a Segment batch. */
const jsonLinesTypes = new Set([
  'application/x-ndjson',
  'application/jsonl',
  'application/json-lines',
]);
/** Rejected lines listed in a response; all of them are counted. */
const maxListed = 1000;

/**
 * POST /v1/import: Segment's legacy alias of /v1/batch for JSON, and a JSONL upload (one
 * message per line, up to `importMaxBytes`) for application/x-ndjson or application/jsonl.
 * Registered inside the ingestion scope, so bodies arrive as text, gzip-decoded.
 */
export function importRoute(scope: FastifyInstance, deps: ImportRouteDeps): void {
  scope.post(
    '/v1/import',
    {
      bodyLimit: Math.max(deps.importMaxBytes, ingestLimits.maxBatchBytes),
      config: { permission: 'write_key' },
      schema: {
        tags: ['ingestion'],
        summary:
          'Upload JSONL (application/x-ndjson: one Segment message per line), or a batch as for /v1/batch',
        body: BatchRequest,
        response: { 200: ImportResult },
      },
    },
    async (request, reply) => {
      const started = performance.now();
      try {
        if (!isJsonLines(request)) {
          const body = (request.body as string | undefined) ?? '';
          // The route's limit is sized for JSONL; a JSON batch keeps the batch limit.
          if (
            body.length > ingestLimits.maxBatchBytes / 3 &&
            Buffer.byteLength(body) > ingestLimits.maxBatchBytes
          )
            return sendProblem(
              reply,
              'payload_too_large',
              `The request body exceeds the limit of ${ingestLimits.maxBatchBytes} bytes; send large imports as JSONL (application/x-ndjson)`,
            );
          return await respond(reply, 'batch', deps, request, true);
        }
        return await upload(reply, deps, request);
      } finally {
        deps.observeLatency((performance.now() - started) / 1000, 'import');
      }
    },
  );
}

async function upload(
  reply: FastifyReply,
  deps: ImportRouteDeps,
  request: FastifyRequest,
): Promise<FastifyReply> {
  const result = await deps.ingestion.importLines({
    rawBody: (request.body as string | undefined) ?? '',
    authorization: request.headers.authorization,
    gpc: sentGpc(request),
  });
  if (result.kind === 'refused') {
    const { code, detail, field, retryAfterSeconds } = result.rejection;
    if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
    return sendProblem(reply, code, detail, field);
  }
  const { accepted, duplicates, dropped, rejected } = result;
  const counts = { accepted, duplicates, dropped, rejectedCount: rejected.length };
  const first = rejected[0];
  if (first === undefined)
    return reply.type('application/json').send({ success: true, ...counts, rejected: [] });
  const total = accepted + duplicates + dropped + rejected.length;
  return sendProblem(
    reply,
    'batch_rejected',
    `${rejected.length} of ${total} lines were rejected and not stored; the other ${total - rejected.length} were accepted`,
    first.field,
    { ...counts, rejected: rejected.slice(0, maxListed) },
  );
}

function isJsonLines(request: FastifyRequest): boolean {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && jsonLinesTypes.has(type);
}
