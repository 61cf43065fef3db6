import { Type, type Static } from '@sinclair/typebox';

export const PrivacyProfileParams = Type.Object({
  id: Type.String({
    minLength: 1,
    description: 'A profile id (p_…); a merged-away id stands for the profile it was merged into',
  }),
});
export type PrivacyProfileParams = Static<typeof PrivacyProfileParams>;

/** Where the verification scan still found the subject (empty when verified). */
export const ErasureRemainder = Type.Object({
  file: Type.String(),
  table: Type.String(),
  column: Type.String(),
  rows: Type.Integer(),
});

/**
 * What an erasure did: every table's deleted rows, the pseudonyms now on the suppression list
 * and the result of scanning every table of both database files for the subject afterwards.
 */
export const ErasureReceipt = Type.Object(
  {
    receiptId: Type.String(),
    profileId: Type.String({ description: 'The profile asked for' }),
    profileIds: Type.Array(Type.String(), {
      description: 'The surviving profile and every profile merged into it',
    }),
    erasedAt: Type.String({ format: 'date-time' }),
    durationMs: Type.Number(),
    deleted: Type.Record(Type.String(), Type.Integer(), {
      description: 'Rows deleted per table (`file.table`)',
    }),
    suppressedIdentifiers: Type.Array(Type.String(), {
      description: 'HMAC pseudonyms of the identifiers, now suppressed at ingest',
    }),
    verified: Type.Boolean({
      description: 'No table of either file holds the profile ids, identifiers or pseudonyms',
    }),
    remaining: Type.Array(ErasureRemainder),
  },
  { $id: 'ErasureReceipt' },
);
export type ErasureReceipt = Static<typeof ErasureReceipt>;

export const EraseQuery = Type.Object({}, { additionalProperties: false });

/** One retention rule: events matching every given field are kept `days` days. */
export const RetentionRule = Type.Object(
  {
    sourceId: Type.Optional(Type.String({ minLength: 1 })),
    type: Type.Optional(
      Type.Union(
        ['track', 'identify', 'page', 'screen', 'group', 'alias'].map((t) => Type.Literal(t)),
      ),
    ),
    event: Type.Optional(Type.String({ minLength: 1, description: 'Track event name' })),
    days: Type.Integer({ minimum: 0, description: '0 keeps them forever' }),
  },
  { additionalProperties: false, $id: 'RetentionRule' },
);
export type RetentionRule = Static<typeof RetentionRule>;

export const RetentionRun = Type.Object(
  {
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    purged: Type.Integer({ description: 'Events deleted from the log' }),
    profilesRebuilt: Type.Integer({
      description: 'Profiles whose event-derived state was rebuilt',
    }),
  },
  { $id: 'RetentionRun' },
);
export type RetentionRun = Static<typeof RetentionRun>;

export const RetentionStatus = Type.Object(
  {
    defaultDays: Type.Integer({ description: 'For events no rule matches; 0 keeps them forever' }),
    rules: Type.Array(RetentionRule, { description: 'The first matching rule applies' }),
    intervalMinutes: Type.Integer({ description: 'How often the purge runs; 0: never' }),
    running: Type.Boolean(),
    lastRun: Type.Union([RetentionRun, Type.Null()]),
    totalPurged: Type.Integer({ description: 'Events deleted by every run so far' }),
  },
  { $id: 'RetentionStatus' },
);
export type RetentionStatus = Static<typeof RetentionStatus>;

/**
 * Everything Attune holds on one person. Events are the stored messages, oldest first;
 * decisions are the subject's `Decision Served` events (the decision log).
 */
export const ProfileExport = Type.Object(
  {
    exportedAt: Type.String({ format: 'date-time' }),
    profile: Type.Record(Type.String(), Type.Unknown()),
    identities: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    merges: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    events: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    segments: Type.Object({
      current: Type.Array(Type.Record(Type.String(), Type.Unknown())),
      history: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    }),
    stage: Type.Object({
      current: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
      history: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    }),
    consent: Type.Array(Type.Unknown()),
    decisions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  },
  { $id: 'ProfileExport' },
);
export type ProfileExport = Static<typeof ProfileExport>;
