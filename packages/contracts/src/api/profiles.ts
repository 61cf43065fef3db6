import { Type, type Static } from '@sinclair/typebox';
import { StoredEvent } from './events.js';

export const IdentifierView = Type.Object(
  { type: Type.String(), value: Type.String() },
  { $id: 'Identifier' },
);

export const ProfileView = Type.Object(
  {
    id: Type.String({
      description: 'The surviving profile id (a merged id resolves to its survivor)',
    }),
    identifiers: Type.Array(IdentifierView),
    traits: Type.Record(Type.String(), Type.Unknown()),
    computed: Type.Record(Type.String(), Type.Unknown()),
    firstSeen: Type.String(),
    lastSeen: Type.String(),
    eventCount: Type.Integer(),
    mergedFrom: Type.Array(Type.String(), { description: 'Profiles merged into this one' }),
  },
  { $id: 'Profile' },
);
export type ProfileView = Static<typeof ProfileView>;

export const ProfileParams = Type.Object({
  id: Type.String({
    minLength: 1,
    description:
      'A profile id (p_…) or an identifier as type:value, e.g. email:ann@example.com or user_id:42',
  }),
});

export const ProfileEventsQuery = Type.Object(
  {
    before: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Offsets below this (for the next page)' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

export const ProfileEventsPage = Type.Object(
  {
    events: Type.Array(StoredEvent, { description: 'Newest first' }),
    next: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Pass as `before` for older events',
    }),
  },
  { $id: 'ProfileEventsPage' },
);

export const ProfileSearchQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ description: 'From the previous page' })),
  },
  {
    patternProperties: { '^trait\\..+$': Type.String() },
    additionalProperties: false,
    description: 'Filter with trait.<name>=<value> (all must match)',
  },
);

export const ProfileSearchPage = Type.Object(
  {
    profiles: Type.Array(ProfileView),
    cursor: Type.Union([Type.String(), Type.Null()], {
      description:
        'Pass to continue; null at the end. A page may hold fewer matches than the limit while more follow.',
    }),
  },
  { $id: 'ProfileSearchPage' },
);

export const MergeView = Type.Object(
  {
    survivorId: Type.String(),
    mergedId: Type.String(),
    at: Type.String({ description: 'Time of the event that caused it' }),
    eventOffset: Type.Integer(),
    eventMessageId: Type.String(),
    identifiers: Type.Array(IdentifierView, { description: 'What the merged profile brought' }),
    reason: Type.String(),
  },
  { $id: 'Merge' },
);
export type MergeView = Static<typeof MergeView>;

export const ConflictView = Type.Object(
  {
    seq: Type.Integer(),
    profileId: Type.String(),
    otherProfileId: Type.Union([Type.String(), Type.Null()]),
    identifier: Type.Union([IdentifierView, Type.Null()]),
    reason: Type.String({
      description: 'e.g. limit:user_id — merging would give a profile two user ids',
    }),
    eventOffset: Type.Integer(),
    at: Type.String(),
  },
  { $id: 'Conflict' },
);
export type ConflictView = Static<typeof ConflictView>;

export const ConflictsQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
);
