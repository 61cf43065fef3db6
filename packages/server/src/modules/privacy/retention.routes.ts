import { Problem, RetentionRun, RetentionStatus } from '@attune/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { RetentionService } from './retention.service.js';
import { access } from './route-access.js';

export interface RetentionRouteDeps {
  retention: RetentionService;
  requireAdmin: preHandlerAsyncHookHandler;
}

const PurgeResult = Type.Pick(RetentionRun, ['purged', 'profilesRebuilt']);

export async function retentionRoutes(
  app: FastifyInstance,
  { retention, requireAdmin }: RetentionRouteDeps,
): Promise<void> {
  const common = { tags: ['privacy'], security: [{ bearer: [] }] };

  app.get(
    '/v1/privacy/retention',
    {
      preHandler: requireAdmin,
      config: access('retention:read', 'retention.read'),
      schema: {
        ...common,
        summary: 'Retention rules in force, the last purge and how much has been purged',
        response: { 200: RetentionStatus, '4xx': Problem },
      },
    },
    async () => retention.status(),
  );

  app.post(
    '/v1/privacy/retention/purge',
    {
      preHandler: requireAdmin,
      config: access('retention:write', 'retention.purge'),
      schema: {
        ...common,
        summary: 'Purge expired events now (joins a purge already running)',
        response: { 200: PurgeResult, '4xx': Problem },
      },
    },
    async () => retention.purge(),
  );
}
