import { Problem, RetentionRun, RetentionStatus } from '@attune/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RetentionService } from './retention.service.js';

export interface RetentionRouteDeps {
  retention: RetentionService;
}

const PurgeResult = Type.Pick(RetentionRun, ['purged', 'profilesRebuilt']);

export async function retentionRoutes(
  app: FastifyInstance,
  { retention }: RetentionRouteDeps,
): Promise<void> {
  const common = { tags: ['privacy'], security: [{ bearer: [] }] };

  app.get(
    '/v1/privacy/retention',
    {
      config: { permission: 'retention:read', audit: 'retention.read' },
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
      config: { permission: 'retention:write', audit: 'retention.purge' },
      schema: {
        ...common,
        summary: 'Purge expired events now (joins a purge already running)',
        response: { 200: PurgeResult, '4xx': Problem },
      },
    },
    async () => retention.purge(),
  );
}
