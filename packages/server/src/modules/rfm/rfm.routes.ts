import {
  Problem,
  RfmRecomputeResult,
  RfmSegmentList,
  RfmSegmentsInstallResult,
  RfmSnapshot,
  RfmSnapshotList,
  RfmSnapshotsQuery,
} from '@attune/contracts';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { SegmentRequestError } from '../segments/segments.service.js';
import { RfmRequestError, type RfmService } from './rfm.service.js';

export interface RfmRouteDeps {
  rfm: RfmService;
}

export async function rfmRoutes(app: FastifyInstance, { rfm }: RfmRouteDeps): Promise<void> {
  const common = { tags: ['rfm'], security: [{ bearer: [] }] };

  app.get(
    '/v1/rfm',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        ...common,
        summary:
          'The RFM breakpoints in force (quintiles of recency, frequency and monetary over customers)',
        response: { 200: RfmSnapshot, '4xx': Problem },
      },
    },
    async () => answer(() => rfm.latest()),
  );

  app.get(
    '/v1/rfm/snapshots',
    {
      config: { permission: 'rfm:read' },
      schema: {
        ...common,
        summary: 'Every version of the breakpoints, newest first',
        querystring: RfmSnapshotsQuery,
        response: { 200: RfmSnapshotList, '4xx': Problem },
      },
    },
    async (request) => ({
      snapshots: rfm.snapshots((request.query as RfmSnapshotsQuery).limit ?? 20),
    }),
  );

  app.post(
    '/v1/rfm/recompute',
    {
      config: { permission: 'rfm:write', audit: 'rfm.recompute' },
      schema: {
        ...common,
        summary:
          'Recompute the breakpoints now (a new version only when they moved); joins a recompute already running',
        response: { 200: RfmRecomputeResult, '4xx': Problem },
      },
    },
    async () => rfm.recompute(),
  );

  app.get(
    '/v1/rfm/segments',
    {
      config: { permission: 'rfm:read' },
      schema: {
        ...common,
        summary: 'The ready-made RFM segments (Champions … Lost) and their conditions on rfm.score',
        response: { 200: RfmSegmentList, '4xx': Problem },
      },
    },
    async () => ({ segments: rfm.segmentDefinitions() }),
  );

  app.post(
    '/v1/rfm/segments/install',
    {
      config: { permission: 'rfm:write', audit: 'rfm.install' },
      schema: {
        ...common,
        summary: 'Create the ready-made RFM segments; ids already taken are skipped',
        response: { 200: RfmSegmentsInstallResult, '4xx': Problem },
      },
    },
    async () => answer(() => rfm.installSegments()),
  );
}

function answer<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RfmRequestError) throw new ProblemError(error.code, error.message);
    if (error instanceof SegmentRequestError)
      throw new ProblemError(error.code, error.message, error.field, error.extra);
    throw error;
  }
}
