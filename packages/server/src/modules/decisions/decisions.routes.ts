import {
  DecideRequest,
  DecideResponse,
  PlacementInput,
  PlacementList,
  PlacementParams,
  PlacementView,
  Problem,
} from '@attune/contracts';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import type { WriteAuth } from '../access/api-keys.service.js';
import { extractWriteKey } from '../ingestion/steps/extract-write-key.js';
import type { DecideService } from './decide.service.js';
import { DecisionRequestError, type PlacementsService } from './placements.service.js';

export interface DecisionRouteDeps {
  placements: PlacementsService;
  decide: DecideService;
  authenticate: (writeKey: string) => Promise<WriteAuth>;
}

export async function decisionRoutes(
  app: FastifyInstance,
  { placements, decide, authenticate }: DecisionRouteDeps,
): Promise<void> {
  // A page may send JSON as text/plain, which browsers send without a CORS preflight (as
  // analytics.js does for events): one round trip less before the first decision.
  app.addContentTypeParser(
    'text/plain',
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  const common = { tags: ['decisions'], security: [{ bearer: [] }] };
  const idOf = (request: FastifyRequest) => (request.params as Static<typeof PlacementParams>).id;

  app.post(
    '/v1/placements',
    {
      config: { permission: 'decisions:write', audit: 'placement.create' },
      schema: {
        ...common,
        summary: 'Define a placement: rules in order of priority and a fallback variant',
        body: PlacementInput,
        response: { 201: PlacementView, '4xx': Problem },
      },
    },
    async (request, reply) =>
      reply.code(201).send(answer(() => placements.create(request.body as PlacementInput))),
  );

  app.get(
    '/v1/placements',
    {
      config: { permission: 'decisions:read' },
      schema: { ...common, summary: 'Every placement', response: { 200: PlacementList } },
    },
    async () => ({ placements: placements.list() }),
  );

  app.get(
    '/v1/placements/:id',
    {
      config: { permission: 'decisions:read' },
      schema: {
        ...common,
        summary: 'One placement, its current version',
        params: PlacementParams,
        response: { 200: PlacementView, '4xx': Problem },
      },
    },
    async (request) => answer(() => placements.get(idOf(request))),
  );

  app.put(
    '/v1/placements/:id',
    {
      config: { permission: 'decisions:write', audit: 'placement.update' },
      schema: {
        ...common,
        summary: 'Replace a placement’s rules and fallback (a new version)',
        params: PlacementParams,
        body: PlacementInput,
        response: { 200: PlacementView, '4xx': Problem },
      },
    },
    async (request) =>
      answer(() => placements.update(idOf(request), request.body as PlacementInput)),
  );

  app.delete(
    '/v1/placements/:id',
    {
      config: { permission: 'decisions:write', audit: 'placement.delete' },
      schema: {
        ...common,
        summary: 'Delete a placement (decide then refuses its id; the id is not reused)',
        params: PlacementParams,
        response: { '4xx': Problem },
      },
    },
    async (request, reply) => {
      answer(() => placements.delete(idOf(request)));
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/decide',
    {
      config: { permission: 'write_key' },
      schema: {
        tags: ['decisions'],
        summary:
          'What each placement should show this visitor (write key; safe for browsers). Unknown visitors get what holds without a profile, usually the fallback',
        body: DecideRequest,
        response: { 200: DecideResponse, '4xx': Problem },
      },
      // A callback, not an async hook: no promise per answer on this hot path.
      onSend: (_request, reply, payload, done) => {
        reply.header('access-control-allow-origin', '*');
        done(null, payload);
      },
    },
    async (request) => {
      const body = request.body as DecideRequest;
      const writeKey = extractWriteKey(request.headers.authorization, body);
      if (writeKey === undefined)
        throw new ProblemError(
          'missing_write_key',
          'Send the source write key as the HTTP Basic user name (empty password), as a Bearer token or as `writeKey`',
        );
      const auth = await authenticate(writeKey);
      if (!auth.ok) throw new ProblemError(auth.code, auth.detail);
      return answer(() => decide.decide(body, { writeKey }));
    },
  );
}

function answer<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DecisionRequestError)
      throw new ProblemError(error.code, error.message, error.field);
    throw error;
  }
}
