import { BatchRequest, ingestLimits, messageSchemas, type MessageType } from '@attune/contracts';
import type { FastifyInstance } from 'fastify';
import { decompressBody } from './decompress-body.js';
import { importRoute } from './import.route.js';
import type { IngestionService } from './ingestion.service.js';
import { respond } from './respond.js';

/** Segment's paths and the one-letter ones analytics.js uses (/v1/import: see import.route). */
const routes: { paths: string[]; endpoint: MessageType | 'batch' }[] = [
  { paths: ['track', 't'], endpoint: 'track' },
  { paths: ['identify', 'i'], endpoint: 'identify' },
  { paths: ['page', 'p'], endpoint: 'page' },
  { paths: ['screen', 's'], endpoint: 'screen' },
  { paths: ['group', 'g'], endpoint: 'group' },
  { paths: ['alias', 'a'], endpoint: 'alias' },
  { paths: ['batch', 'b'], endpoint: 'batch' },
];

export interface IngestionRouteDeps {
  ingestion: IngestionService;
  observeLatency(seconds: number, endpoint: string): void;
  /** Largest JSONL upload on /v1/import, after decompression. */
  importMaxBytes: number;
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
  scope.addHook('onSend', (_request, reply, payload, done) => {
    // Pages on other origins (the browser SDK) send here, and may read when to retry.
    reply.header('access-control-allow-origin', '*');
    reply.header('access-control-expose-headers', 'retry-after');
    done(null, payload);
  });
  // CORS preflight: browsers send it without credentials.
  scope.options('/v1/*', { config: { permission: 'public' } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header(
        'access-control-allow-headers',
        'content-type, authorization, content-encoding, sec-gpc',
      )
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
          // The write key may sit in the body (analytics.js), so ingestion authenticates.
          config: { permission: 'write_key' },
          schema: {
            tags: ['ingestion'],
            summary:
              endpoint === 'batch' ? 'Send a batch of messages' : `Send a ${endpoint} message`,
            hide: path.length === 1,
            body: endpoint === 'batch' ? BatchRequest : messageSchemas[endpoint],
          },
        },
        async (request, reply) => {
          const started = performance.now();
          try {
            return await respond(reply, endpoint, deps, request);
          } finally {
            deps.observeLatency((performance.now() - started) / 1000, endpoint);
          }
        },
      );
    }
  }
  importRoute(scope, deps);
}
