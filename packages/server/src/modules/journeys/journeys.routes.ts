import {
  CartAbandonmentQuery,
  DeadLetterList,
  JourneyInput,
  JourneyList,
  JourneyParams,
  JourneyStats,
  JourneyView,
  Problem,
} from '@attune/contracts';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { cartAbandonmentJourney } from './cart-abandonment.js';
import { JourneyDefinitionError } from './journey-definition.js';
import {
  JourneyConflictError,
  JourneyNotFoundError,
  type JourneysService,
} from './journeys.service.js';
import type { UnsubscribeLinks } from './unsubscribe-links.js';

export interface JourneyRouteDeps {
  journeys: JourneysService;
  links: UnsubscribeLinks;
  /** Withdraws a purpose for every identifier of the profile (nothing when it is gone). */
  unsubscribe(profileId: string, purpose: string): void;
}

const DeadLetterQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) },
  { additionalProperties: false },
);
const UnsubscribeQuery = Type.Object({ token: Type.String({ minLength: 5, maxLength: 2000 }) });

export async function journeyRoutes(app: FastifyInstance, deps: JourneyRouteDeps): Promise<void> {
  const { journeys } = deps;
  const common = { tags: ['journeys'], security: [{ bearer: [] }] };
  const idOf = (params: unknown): string => (params as Static<typeof JourneyParams>).id;

  app.post(
    '/v1/journeys',
    {
      config: { permission: 'journeys:write', audit: 'journey.create' },
      schema: {
        ...common,
        summary:
          'Define a journey (docs/journeys.md); the id is derived from the name when not given',
        body: JourneyInput,
        response: { 201: JourneyView, '4xx': Problem },
      },
    },
    async (request, reply) =>
      reply.code(201).send(answer(() => journeys.create(request.body as JourneyInput))),
  );

  app.get(
    '/v1/journeys',
    {
      config: { permission: 'journeys:read' },
      schema: {
        ...common,
        summary: 'Every journey (not deleted), current versions',
        response: { 200: JourneyList, '4xx': Problem },
      },
    },
    async () => ({ journeys: journeys.list() }),
  );

  app.get(
    '/v1/journeys/templates/cart-abandonment',
    {
      config: { permission: 'journeys:read' },
      schema: {
        ...common,
        summary: 'The ready-made cart-abandonment journey, to POST as is or edited',
        querystring: CartAbandonmentQuery,
        response: { 200: JourneyInput, '4xx': Problem },
      },
    },
    async (request) => cartAbandonmentJourney(request.query as Static<typeof CartAbandonmentQuery>),
  );

  app.get(
    '/v1/journeys/:id',
    {
      config: { permission: 'journeys:read' },
      schema: {
        ...common,
        summary: 'A journey, current version',
        params: JourneyParams,
        response: { 200: JourneyView, '4xx': Problem },
      },
    },
    async (request) => answer(() => journeys.get(idOf(request.params))),
  );

  app.put(
    '/v1/journeys/:id',
    {
      config: { permission: 'journeys:write', audit: 'journey.update' },
      schema: {
        ...common,
        summary:
          'A new version: new entries follow it; profiles inside finish on the version they entered',
        params: JourneyParams,
        body: JourneyInput,
        response: { 200: JourneyView, '4xx': Problem },
      },
    },
    async (request) =>
      answer(() => journeys.update(idOf(request.params), request.body as JourneyInput)),
  );

  app.delete(
    '/v1/journeys/:id',
    {
      config: { permission: 'journeys:write', audit: 'journey.delete' },
      schema: {
        ...common,
        summary: 'Stop admitting profiles; those inside finish their runs',
        params: JourneyParams,
        response: { 204: Type.Null(), '4xx': Problem },
      },
    },
    async (request, reply) => {
      answer(() => journeys.delete(idOf(request.params)));
      return reply.code(204).send();
    },
  );

  app.get(
    '/v1/journeys/:id/stats',
    {
      config: { permission: 'journeys:read' },
      schema: {
        ...common,
        summary:
          'Per step: entered, waiting now, exited, converted, sent, failed, suppressed (consent, cap), dead-lettered',
        params: JourneyParams,
        response: { 200: JourneyStats, '4xx': Problem },
      },
    },
    async (request) => answer(() => journeys.stats(idOf(request.params))),
  );

  app.get(
    '/v1/journeys/:id/dead-letters',
    {
      config: { permission: 'journeys:read' },
      schema: {
        ...common,
        summary: 'Webhook deliveries that failed every retry, newest first',
        params: JourneyParams,
        querystring: DeadLetterQuery,
        response: { 200: DeadLetterList, '4xx': Problem },
      },
    },
    async (request) =>
      answer(() =>
        journeys.deadLetters(
          idOf(request.params),
          (request.query as Static<typeof DeadLetterQuery>).limit ?? 100,
        ),
      ),
  );

  // Mail clients post the one-click form (`List-Unsubscribe=One-Click`); the token is in the URL.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  // The link in every journey email: a GET from a person, or a one-click POST (RFC 8058) from
  // their mail client. Public: the signed token is the authority.
  const unsubscribe = (token: string) => {
    const target = deps.links.verify(token);
    if (target === null)
      throw new ProblemError('invalid_request', 'This unsubscribe link is not valid', '/token');
    deps.unsubscribe(target.profileId, target.purpose);
    return target.purpose;
  };
  const unsubscribeSchema = {
    tags: ['journeys'],
    querystring: UnsubscribeQuery,
    response: { 200: Type.String(), '4xx': Problem },
  };
  app.get(
    '/v1/journeys/unsubscribe',
    {
      config: { permission: 'public' },
      schema: {
        ...unsubscribeSchema,
        summary: 'Unsubscribe link: withdraws the purpose the email was sent for',
      },
    },
    async (request, reply) => {
      const purpose = unsubscribe((request.query as Static<typeof UnsubscribeQuery>).token);
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><title>Unsubscribed</title><p>You are unsubscribed from ${escapeHtml(purpose)} messages.</p>`,
        );
    },
  );
  app.post(
    '/v1/journeys/unsubscribe',
    {
      config: { permission: 'public' },
      schema: { ...unsubscribeSchema, summary: 'One-click unsubscribe (RFC 8058)' },
    },
    async (request, reply) => {
      unsubscribe((request.query as Static<typeof UnsubscribeQuery>).token);
      return reply.type('text/plain; charset=utf-8').send('unsubscribed');
    },
  );
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function answer<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof JourneyDefinitionError)
      throw new ProblemError(error.code, error.message, error.field);
    if (error instanceof JourneyNotFoundError) throw new ProblemError('not_found', error.message);
    if (error instanceof JourneyConflictError)
      throw new ProblemError('conflict', error.message, '/id');
    throw error;
  }
}
