import {
  JourneyMapInput,
  JourneyMapQuery,
  JourneyMapReport,
  JourneyMapView,
  Problem,
} from '@attune/contracts';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { JourneyMapService } from './journey-map.service.js';

export async function journeyMapRoutes(
  app: FastifyInstance,
  { journeyMap }: { journeyMap: JourneyMapService },
): Promise<void> {
  const common = { tags: ['journey map'], security: [{ bearer: [] }] };
  app.get(
    '/v1/journey-map',
    {
      config: { permission: 'aggregates:read' },
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
      config: { permission: 'journey_map:read' },
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
      config: { permission: 'journey_map:write', audit: 'journey_map.define' },
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
