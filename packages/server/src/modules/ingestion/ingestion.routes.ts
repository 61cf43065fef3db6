import { BatchRequest, ingestLimits, messageSchemas, type MessageType } from '@attune/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendProblem } from '../../http/problem.js';
import { decompressBody } from './decompress-body.js';
import type { IngestionService } from './ingestion.service.js';

/** Segment's paths, plus the one-letter ones analytics.js uses and the legacy /v1/import. */
const routes: { paths: string[]; endpoint: MessageType | 'batch' }[] = [
  { paths: ['track', 't'], endpoint: 'track' },
  { paths: ['identify', 'i'], endpoint: 'identify' },
  { paths: ['page', 'p'], endpoint: 'page' },
  { paths: ['screen', 's'], endpoint: 'screen' },
  { paths: ['group', 'g'], endpoint: 'group' },
  { paths: ['alias', 'a'], endpoint: 'alias' },
  { paths: ['batch', 'b', 'import'], endpoint: 'batch' },
];

const successBody = '{"success":true}';

export interface IngestionRouteDeps {
  ingestion: IngestionService;
  observeLatency(seconds: number, endpoint: string): void;
}

export async function ingestionRoutes(
  scope: FastifyInstance,
  deps: IngestionRouteDeps,
): Promise<void> {
  // Bodies arrive as text whatever the content type: analytics.js sends text/plain to avoid
  // a CORS preflight, and parsing is a pipeline step with its own error.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
  // Schemas here document the API; validation is the pipeline's job.
  scope.setValidatorCompiler(() => () => true);
  scope.addHook('preParsing', decompressBody);
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('access-control-allow-origin', '*');
  });
  scope.options('/v1/*', async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'content-type, authorization, content-encoding')
      .header('access-control-max-age', '86400')
      .send(),
  );

  for (const { paths, endpoint } of routes) {
    const bodyLimit =
      endpoint === 'batch'
        ? ingestLimits.maxBatchBytes
        : // room for a writeKey and whitespace around a message at the 32 KB limit
          ingestLimits.maxMessageBytes + 1024;
    for (const path of paths) {
      scope.post(
        `/v1/${path}`,
        {
          bodyLimit,
          schema: {
            tags: ['ingestion'],
            summary:
              endpoint === 'batch' ? 'Send a batch of messages' : `Send a ${endpoint} message`,
            hide: path.length === 1 || path === 'import',
            body: endpoint === 'batch' ? BatchRequest : messageSchemas[endpoint],
          },
        },
        async (request, reply) => {
          const started = performance.now();
          try {
            return await respond(
              reply,
              endpoint,
              deps,
              request.body as string,
              request.headers.authorization,
            );
          } finally {
            deps.observeLatency((performance.now() - started) / 1000, endpoint);
          }
        },
      );
    }
  }
}

async function respond(
  reply: FastifyReply,
  endpoint: MessageType | 'batch',
  deps: IngestionRouteDeps,
  rawBody: string | undefined,
  authorization: string | undefined,
): Promise<FastifyReply> {
  const result = await deps.ingestion.ingest({ endpoint, rawBody: rawBody ?? '', authorization });
  if (result.kind === 'refused') {
    const { code, detail, field } = result.rejection;
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
