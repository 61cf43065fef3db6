import {
  ConflictView,
  ConflictsQuery,
  Problem,
  type ConflictView as Conflict,
} from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { IdentityStore } from './identity.store.js';

export interface IdentityRouteDeps {
  identity: Pick<IdentityStore, 'conflicts'>;
}

export async function identityRoutes(
  app: FastifyInstance,
  { identity }: IdentityRouteDeps,
): Promise<void> {
  app.get(
    '/v1/identity/conflicts',
    {
      config: { permission: 'profiles:read', pii: 'conflicts' },
      schema: {
        tags: ['profiles'],
        security: [{ bearer: [] }],
        summary:
          'Merges that were refused (they would have broken an identifier limit), oldest first',
        querystring: ConflictsQuery,
        response: {
          200: Type.Object({ conflicts: Type.Array(ConflictView), next: Type.Integer() }),
          '4xx': Problem,
        },
      },
    },
    async (request) => {
      const query = request.query as Static<typeof ConflictsQuery>;
      const after = query.after ?? 0;
      const conflicts: Conflict[] = identity.conflicts(after, query.limit ?? 100).map((c) => ({
        seq: c.seq,
        profileId: c.profileId,
        otherProfileId: c.otherProfileId,
        identifier: c.identifier,
        reason: c.reason,
        eventOffset: c.eventOffset,
        at: formatIsoTimestamp(c.eventTime),
      }));
      return { conflicts, next: conflicts[conflicts.length - 1]?.seq ?? after };
    },
  );
}
