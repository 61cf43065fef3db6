import { Problem } from '@attune/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { sendProblem } from '../../http/problem.js';

export interface ObservabilityRouteDeps {
  registry: Registry;
  /** Throws or returns a reason when storage is not usable. */
  checkStorage(): Promise<string | null>;
}

export async function observabilityRoutes(
  app: FastifyInstance,
  deps: ObservabilityRouteDeps,
): Promise<void> {
  const tags = ['operations'];
  app.get(
    '/healthz',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'Liveness',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'Readiness: storage reachable',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: Problem },
      },
    },
    async (_request, reply) => {
      let reason: string | null;
      try {
        reason = await deps.checkStorage();
      } catch (error) {
        reason = error instanceof Error ? error.message : String(error);
      }
      if (reason !== null) return sendProblem(reply, 'storage_unavailable', reason);
      return { status: 'ready' as const };
    },
  );
  app.get(
    '/metrics',
    {
      // Scraped by Prometheus without credentials; it holds counts, never personal data.
      config: { permission: 'public' },
      schema: { tags, summary: 'Prometheus metrics', hide: false },
    },
    async (_request, reply) =>
      reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );
}
