import {
  Problem,
  QualityQuery,
  QualityReport,
  SourceParams,
  TrackingPlan,
  TrackingPlanView,
} from '@attune/contracts';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import type { QualityService } from './quality.service.js';
import { QualityRequestError, type TrackingPlansService } from './tracking-plans.service.js';

export interface QualityRouteDeps {
  plans: TrackingPlansService;
  quality: QualityService;
}

export async function qualityRoutes(
  app: FastifyInstance,
  { plans, quality }: QualityRouteDeps,
): Promise<void> {
  const common = { tags: ['quality'], security: [{ bearer: [] }] };
  const path = '/v1/sources/:sourceId/tracking-plan';
  type Params = Static<typeof SourceParams>;

  app.put(
    path,
    {
      config: { permission: 'quality:write', audit: 'tracking_plan.put' },
      schema: {
        ...common,
        summary: "Set the source's tracking plan (JSON Schemas per event; flag or reject)",
        params: SourceParams,
        body: TrackingPlan,
        response: { 200: TrackingPlanView, '4xx': Problem },
      },
    },
    async (request) =>
      answer(() => plans.put((request.params as Params).sourceId, request.body as TrackingPlan)),
  );

  app.get(
    path,
    {
      config: { permission: 'quality:read' },
      schema: {
        ...common,
        summary: "The source's tracking plan",
        params: SourceParams,
        response: { 200: TrackingPlanView, '4xx': Problem },
      },
    },
    async (request) => answer(() => plans.get((request.params as Params).sourceId)),
  );

  app.delete(
    path,
    {
      config: { permission: 'quality:write', audit: 'tracking_plan.delete' },
      schema: {
        ...common,
        summary: "Remove the source's tracking plan: its messages are no longer checked",
        params: SourceParams,
        response: { 204: Type.Null(), '4xx': Problem },
      },
    },
    async (request, reply) => {
      await answer(() => plans.delete((request.params as Params).sourceId));
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/quality',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        ...common,
        summary:
          'Data quality over a time range: accepted, flagged, rejected, deduplicated and dropped messages by source, event and reason; field missing/invalid rates; identity conflicts',
        querystring: QualityQuery,
        response: { 200: QualityReport, '4xx': Problem },
      },
    },
    async (request) => answer(() => quality.report(request.query as QualityQuery)),
  );
}

async function answer<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof QualityRequestError)
      throw new ProblemError(error.code, error.message, error.field);
    throw error;
  }
}
