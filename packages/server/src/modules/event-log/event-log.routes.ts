import { EventsPage, EventsQuery, Problem } from '@attune/contracts';
import type { FastifyInstance } from 'fastify';
import type { EventLog } from './event-log.store.js';
import { toStoredEvent } from './stored-event.js';

export interface EventLogRouteDeps {
  log: Pick<EventLog, 'scan' | 'lastOffset'>;
  /** How many events one filtered request may examine. */
  maxScanned: number;
}

export async function eventLogRoutes(app: FastifyInstance, deps: EventLogRouteDeps): Promise<void> {
  app.get(
    '/v1/events',
    {
      config: { permission: 'events:read', pii: 'events' },
      schema: {
        tags: ['events'],
        summary: 'Read the event log in offset order, optionally filtered',
        security: [{ bearer: [] }],
        querystring: EventsQuery,
        response: { 200: EventsPage, '4xx': Problem },
      },
    },
    async (request) => {
      const query = request.query as EventsQuery;
      const after = query.after ?? 0;
      const limit = query.limit ?? 100;
      const lastOffset = await deps.log.lastOffset();
      const result = await deps.log.scan(
        after,
        limit,
        {
          type: query.type,
          event: query.event,
          userId: query.userId,
          anonymousId: query.anonymousId,
          timestampFrom: query.from === undefined ? undefined : Date.parse(query.from),
          timestampTo: query.to === undefined ? undefined : Date.parse(query.to),
          sourceId: query.source,
        },
        Math.max(limit, deps.maxScanned),
      );
      return {
        events: result.events.map(toStoredEvent),
        next: result.scannedThrough,
        hasMore: !result.reachedEnd,
        lastOffset,
      } satisfies EventsPage;
    },
  );
}
