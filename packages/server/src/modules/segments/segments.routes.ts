import {
  Problem,
  ProfileParams,
  ProfileSegmentsQuery,
  ProfileSegmentsView,
  SegmentInput,
  SegmentList,
  SegmentMembersPage,
  SegmentMembersQuery,
  SegmentParams,
  SegmentPreview,
  SegmentPreviewInput,
  SegmentSizeHistory,
  SegmentSizeHistoryQuery,
  SegmentVersionList,
  SegmentView,
} from '@attune/contracts';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { ProfileLookupError } from '../profiles/profiles.service.js';
import { SegmentRequestError, type SegmentsService } from './segments.service.js';

export interface SegmentRouteDeps {
  segments: SegmentsService;
}

export async function segmentRoutes(
  app: FastifyInstance,
  { segments }: SegmentRouteDeps,
): Promise<void> {
  const common = { tags: ['segments'], security: [{ bearer: [] }] };
  type Params = Static<typeof SegmentParams>;
  const idOf = (params: unknown): string => (params as Params).id;

  app.post(
    '/v1/segments',
    {
      config: { permission: 'segments:write', audit: 'segment.create' },
      schema: {
        ...common,
        summary:
          'Define a segment by a condition (docs/conditions.md); the id is derived from the name when not given',
        body: SegmentInput,
        response: { 201: SegmentView, '4xx': Problem },
      },
    },
    async (request, reply) =>
      reply.code(201).send(answer(() => segments.create(request.body as SegmentInput))),
  );

  app.post(
    '/v1/segments/preview',
    {
      config: { permission: 'segments:read' },
      schema: {
        ...common,
        summary:
          'Try a draft condition on stored profiles: how many match (estimated past maxProfiles) and a sample; saves nothing',
        body: SegmentPreviewInput,
        response: { 200: SegmentPreview, '4xx': Problem },
      },
    },
    async (request) => answerAsync(() => segments.preview(request.body as SegmentPreviewInput)),
  );

  app.get(
    '/v1/segments',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        ...common,
        summary: 'Every segment (not deleted) with what the processor has made of it',
        response: { 200: SegmentList, '4xx': Problem },
      },
    },
    async () => ({ segments: segments.list() }),
  );

  app.get(
    '/v1/segments/:id',
    {
      config: { permission: 'segments:read' },
      schema: {
        ...common,
        summary: 'A segment: its current definition, backfill state and size',
        params: SegmentParams,
        response: { 200: SegmentView, '4xx': Problem },
      },
    },
    async (request) => answer(() => segments.get(idOf(request.params))),
  );

  app.put(
    '/v1/segments/:id',
    {
      config: { permission: 'segments:write', audit: 'segment.update' },
      schema: {
        ...common,
        summary:
          'Replace the definition: stored as the next version (an unchanged definition keeps its version)',
        params: SegmentParams,
        body: SegmentInput,
        response: { 200: SegmentView, '4xx': Problem },
      },
    },
    async (request) =>
      answer(() => segments.update(idOf(request.params), request.body as SegmentInput)),
  );

  app.delete(
    '/v1/segments/:id',
    {
      config: { permission: 'segments:write', audit: 'segment.delete' },
      schema: {
        ...common,
        summary:
          'Delete a segment (its versions are kept and its id is not reused); refused while other segments refer to it',
        params: SegmentParams,
        response: { 204: Type.Null(), '4xx': Problem },
      },
    },
    async (request, reply) => {
      answer(() => segments.delete(idOf(request.params)));
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/segments/:id/versions',
    {
      config: { permission: 'segments:read' },
      schema: {
        ...common,
        summary: 'Every version of the definition, oldest first',
        params: SegmentParams,
        response: { 200: SegmentVersionList, '4xx': Problem },
      },
    },
    async (request) => ({ versions: answer(() => segments.versions(idOf(request.params))) }),
  );

  app.get(
    '/v1/segments/:id/members',
    {
      config: { permission: 'segments:read' },
      schema: {
        ...common,
        summary: 'The current members by profile id, a page at a time',
        params: SegmentParams,
        querystring: SegmentMembersQuery,
        response: { 200: SegmentMembersPage, '4xx': Problem },
      },
    },
    async (request) => {
      const query = request.query as SegmentMembersQuery;
      return answer(() =>
        segments.members(idOf(request.params), query.cursor ?? '', query.limit ?? 100),
      );
    },
  );

  app.get(
    '/v1/segments/:id/size-history',
    {
      config: { permission: 'aggregates:read' },
      schema: {
        ...common,
        summary:
          'The size at the end of each hour or day (UTC), from the recorded entries and exits',
        params: SegmentParams,
        querystring: SegmentSizeHistoryQuery,
        response: { 200: SegmentSizeHistory, '4xx': Problem },
      },
    },
    async (request) =>
      answer(() =>
        segments.sizeHistory(idOf(request.params), request.query as SegmentSizeHistoryQuery),
      ),
  );

  app.get(
    '/v1/profiles/:id/segments',
    {
      config: { permission: 'profiles:read', audit: 'profile.segments' },
      schema: {
        ...common,
        summary: "The profile's segments and its latest entries and exits",
        params: ProfileParams,
        querystring: ProfileSegmentsQuery,
        response: { 200: ProfileSegmentsView, '4xx': Problem },
      },
    },
    async (request) => {
      const query = request.query as ProfileSegmentsQuery;
      // Ajv coerces `history=1e400` to Infinity and lets it through the integer schema;
      // SQLite then refuses it as a LIMIT (a 500). Found by the hostile-input fuzz test.
      if (query.history !== undefined && !Number.isSafeInteger(query.history))
        throw new ProblemError(
          'invalid_request',
          '`history` must be an integer from 0 to 500',
          '/history',
        );
      return answer(() =>
        segments.profileSegments(
          (request.params as Static<typeof ProfileParams>).id,
          query.history ?? 20,
        ),
      );
    },
  );
}

function answer<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw asProblem(error);
  }
}

async function answerAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asProblem(error);
  }
}

function asProblem(error: unknown): unknown {
  if (error instanceof SegmentRequestError)
    return new ProblemError(error.code, error.message, error.field, error.extra);
  if (error instanceof ProfileLookupError) return new ProblemError(error.code, error.message);
  return error;
}
