import {
  MergeView,
  Problem,
  ProfileEventsPage,
  ProfileEventsQuery,
  ProfileParams,
  ProfileSearchPage,
  ProfileSearchQuery,
  ProfileView,
} from '@attune/contracts';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ProblemError } from '../../http/problem.js';
import { ProfileLookupError, type ProfilesService } from './profiles.service.js';

export interface ProfileRouteDeps {
  profiles: ProfilesService;
}

export async function profileRoutes(
  app: FastifyInstance,
  { profiles }: ProfileRouteDeps,
): Promise<void> {
  const common = { tags: ['profiles'], security: [{ bearer: [] }] };
  type Params = Static<typeof ProfileParams>;

  app.get(
    '/v1/profiles/:id',
    {
      config: { permission: 'profiles:read', audit: 'profile.read', pii: 'profile' },
      schema: {
        ...common,
        summary: 'A profile by id or by identifier (type:value)',
        params: ProfileParams,
        response: { 200: ProfileView, '4xx': Problem },
      },
    },
    async (request) => lookup(() => profiles.get((request.params as Params).id)),
  );

  app.get(
    '/v1/profiles/:id/events',
    {
      config: { permission: 'profiles:read', audit: 'profile.events', pii: 'events' },
      schema: {
        ...common,
        summary: "The profile's events, newest first",
        params: ProfileParams,
        querystring: ProfileEventsQuery,
        response: { 200: ProfileEventsPage, '4xx': Problem },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof ProfileEventsQuery>;
      return lookup(() =>
        profiles.events(
          (request.params as Params).id,
          query.before ?? Number.MAX_SAFE_INTEGER,
          query.limit ?? 50,
        ),
      );
    },
  );

  app.get(
    '/v1/profiles/:id/merges',
    {
      config: { permission: 'profiles:read', audit: 'profile.merges', pii: 'merges' },
      schema: {
        ...common,
        summary: 'Every merge into this profile: when, which event, what it brought',
        params: ProfileParams,
        response: { 200: Type.Object({ merges: Type.Array(MergeView) }), '4xx': Problem },
      },
    },
    async (request) => ({
      merges: await lookup(() => profiles.merges((request.params as Params).id)),
    }),
  );

  app.get(
    '/v1/profiles',
    {
      config: { permission: 'profiles:read', audit: 'profile.search', pii: 'profile_search' },
      schema: {
        ...common,
        summary: 'Find profiles by traits: ?trait.<name>=<value>',
        querystring: ProfileSearchQuery,
        response: { 200: ProfileSearchPage, '4xx': Problem },
      },
    },
    async (request) => {
      const query = request.query as Record<string, string | number | undefined>;
      const traits: Record<string, string> = {};
      for (const [key, value] of Object.entries(query)) {
        if (key.startsWith('trait.') && value !== undefined)
          traits[key.slice('trait.'.length)] = String(value);
      }
      return lookup(() =>
        profiles.search(
          traits,
          typeof query['cursor'] === 'string' ? query['cursor'] : '',
          Number(query['limit'] ?? 50),
        ),
      );
    },
  );
}

async function lookup<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ProfileLookupError) throw new ProblemError(error.code, error.message);
    throw error;
  }
}
