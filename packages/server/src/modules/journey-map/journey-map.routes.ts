import {
  JourneyMapInput,
  JourneyMapQuery,
  JourneyMapReport,
  JourneyMapView,
  Problem,
} from '@attune/contracts';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { JourneyMapService } from './journey-map.service.js';

export async function journeyMapRoutes(
  app: FastifyInstance,
  {
    journeyMap,
    requireAdmin,
  }: { journeyMap: JourneyMapService; requireAdmin: preHandlerAsyncHookHandler },
): Promise<void> {
  const common = { tags: ['journey map'], security: [{ bearer: [] }] };
  app.get(
    '/v1/journey-map',
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: 'Stage populations, stage-to-stage transitions and median time in stage',
        querystring: JourneyMapQuery,
        response: { 200: JourneyMapReport, '4xx': Problem },
      },
    },
    async (request) => journeyMap.report(request.query as Static<typeof JourneyMapQuery>),
  );
  app.get(
    '/v1/journey-map/definition',
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: 'The journey map: ordered stages and their conditions',
        response: { 200: JourneyMapView, '4xx': Problem },
      },
    },
    async () => journeyMap.definition(),
  );
  app.put(
    '/v1/journey-map/definition',
    {
      preHandler: requireAdmin,
      schema: {
        ...common,
        summary: 'Replace the journey map (every profile’s stage is re-evaluated)',
        body: JourneyMapInput,
        response: { 200: JourneyMapView, '4xx': Problem },
      },
    },
    async (request) => journeyMap.put(request.body as JourneyMapInput),
  );
}
