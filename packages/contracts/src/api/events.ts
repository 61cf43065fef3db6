import { Type, type Static } from '@sinclair/typebox';
import { messageTypes } from '../segment/messages.js';

/** An event as stored in the log: the message as received plus the normalized fields. */
export const StoredEvent = Type.Object(
  {
    offset: Type.Integer({ description: 'Position in the log; strictly increasing' }),
    sourceId: Type.String(),
    messageId: Type.String(),
    type: Type.Union(messageTypes.map((t) => Type.Literal(t))),
    event: Type.Union([Type.String(), Type.Null()], {
      description: 'track: the event name; page/screen: the name',
    }),
    userId: Type.Union([Type.String(), Type.Null()]),
    anonymousId: Type.Union([Type.String(), Type.Null()]),
    timestamp: Type.String({ description: 'Skew-corrected time of the event (ISO-8601)' }),
    originalTimestamp: Type.Union([Type.String(), Type.Null()]),
    sentAt: Type.Union([Type.String(), Type.Null()]),
    receivedAt: Type.String(),
    message: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The message as the client sent it (batch context merged in, writeKey removed)',
    }),
  },
  { $id: 'StoredEvent' },
);
export type StoredEvent = Static<typeof StoredEvent>;

export const EventsQuery = Type.Object(
  {
    after: Type.Optional(
      Type.Integer({ minimum: 0, default: 0, description: 'Return events with offset > after' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    type: Type.Optional(Type.Union(messageTypes.map((t) => Type.Literal(t)))),
    event: Type.Optional(Type.String({ minLength: 1 })),
    userId: Type.Optional(Type.String({ minLength: 1 })),
    anonymousId: Type.Optional(Type.String({ minLength: 1 })),
    source: Type.Optional(Type.String({ minLength: 1, description: 'Source id' })),
    from: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Only events whose (skew-corrected) timestamp is at or after this time',
      }),
    ),
    to: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'Only events whose timestamp is before this time',
      }),
    ),
  },
  { $id: 'EventsQuery', additionalProperties: false },
);
export type EventsQuery = Static<typeof EventsQuery>;

export const EventsPage = Type.Object(
  {
    events: Type.Array(StoredEvent),
    next: Type.Integer({
      description:
        'Pass as `after` to continue (also to tail the log: poll with it). A filtered read examines a bounded number of events per request, so a page may be short, even empty, while hasMore is true.',
    }),
    hasMore: Type.Boolean({ description: 'False when the read reached the end of the log' }),
    lastOffset: Type.Integer({ description: 'Highest offset in the log when the page was read' }),
  },
  { $id: 'EventsPage' },
);
export type EventsPage = Static<typeof EventsPage>;
