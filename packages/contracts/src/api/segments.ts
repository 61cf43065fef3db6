import { Type, type Static } from '@sinclair/typebox';

/**
 * A segment as created or edited through the API. `condition` is a condition tree
 * (`ConditionSchema`, docs/conditions.md); it is typed loosely here because the server checks
 * it node by node (`checkCondition`), which names the offending node's path.
 */
export const SegmentInput = Type.Object(
  {
    /** Optional on create (derived from the name); a slug: letters, digits, `_`, `-`. */
    id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    condition: Type.Unknown({ description: 'a condition tree (docs/conditions.md)' }),
  },
  { $id: 'SegmentInput', additionalProperties: false },
);
export type SegmentInput = Static<typeof SegmentInput>;

export const segmentStates = ['backfilling', 'ready'] as const;

export const SegmentView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
    condition: Type.Unknown(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    /** What the processor has made of the current version, when it has seen it. */
    status: Type.Union([
      Type.Object({
        state: Type.Union(segmentStates.map((s) => Type.Literal(s))),
        version: Type.Integer(),
        profilesDone: Type.Integer(),
        profilesTotal: Type.Integer(),
        size: Type.Integer(),
      }),
      Type.Null(),
    ]),
  },
  { $id: 'SegmentView' },
);
export type SegmentView = Static<typeof SegmentView>;

export const SegmentParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'The segment id' }),
});

export const SegmentList = Type.Object(
  { segments: Type.Array(SegmentView, { description: 'Not deleted, by id' }) },
  { $id: 'SegmentList' },
);
export type SegmentList = Static<typeof SegmentList>;

/** One stored version of a definition; every create and update adds one. */
export const SegmentVersionView = Type.Object(
  {
    version: Type.Integer(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    condition: Type.Unknown(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'SegmentVersion' },
);
export type SegmentVersionView = Static<typeof SegmentVersionView>;

export const SegmentVersionList = Type.Object(
  { versions: Type.Array(SegmentVersionView, { description: 'Oldest first' }) },
  { $id: 'SegmentVersionList' },
);

export const SegmentMembersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(
      Type.String({ maxLength: 200, description: '`cursor` of the previous page' }),
    ),
  },
  { additionalProperties: false },
);
export type SegmentMembersQuery = Static<typeof SegmentMembersQuery>;

export const SegmentMemberView = Type.Object(
  {
    profileId: Type.String(),
    since: Type.String({ format: 'date-time', description: 'When the profile entered' }),
    version: Type.Integer({ description: 'The definition version that admitted it' }),
  },
  { $id: 'SegmentMember' },
);
export type SegmentMemberView = Static<typeof SegmentMemberView>;

export const SegmentMembersPage = Type.Object(
  {
    members: Type.Array(SegmentMemberView, { description: 'By profile id' }),
    cursor: Type.Union([Type.String(), Type.Null()], {
      description: 'Pass as `cursor` for the next page; null on the last page',
    }),
  },
  { $id: 'SegmentMembersPage' },
);
export type SegmentMembersPage = Static<typeof SegmentMembersPage>;

export const ProfileSegmentsQuery = Type.Object(
  {
    history: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 500,
        default: 20,
        description: 'How many of the latest entries and exits to include',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ProfileSegmentsQuery = Static<typeof ProfileSegmentsQuery>;

export const ProfileMembershipView = Type.Object(
  {
    segmentId: Type.String(),
    name: Type.String(),
    since: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  { $id: 'ProfileMembership' },
);
export type ProfileMembershipView = Static<typeof ProfileMembershipView>;

export const MembershipChangeView = Type.Object(
  {
    segmentId: Type.String(),
    version: Type.Integer(),
    change: Type.Union([Type.Literal('entered'), Type.Literal('exited')]),
    at: Type.String({ format: 'date-time' }),
    eventOffset: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The event that caused it; null when time alone did',
    }),
  },
  { $id: 'MembershipChange' },
);
export type MembershipChangeView = Static<typeof MembershipChangeView>;

export const ProfileSegmentsView = Type.Object(
  {
    profileId: Type.String({ description: 'The surviving profile id' }),
    segments: Type.Array(ProfileMembershipView, { description: 'Current memberships, by id' }),
    history: Type.Array(MembershipChangeView, { description: 'Entries and exits, newest first' }),
  },
  { $id: 'ProfileSegments' },
);
export type ProfileSegmentsView = Static<typeof ProfileSegmentsView>;

/** A draft condition to try on stored profiles before saving it as a segment. */
export const SegmentPreviewInput = Type.Object(
  {
    condition: Type.Unknown({ description: 'a condition tree (docs/conditions.md)' }),
    sample: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100,
        default: 10,
        description: 'How many matching profile ids to return (the first ones by id)',
      }),
    ),
    maxProfiles: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        default: 20_000,
        description: 'Scan at most this many profiles (by id); beyond, the count is extrapolated',
      }),
    ),
  },
  { $id: 'SegmentPreviewInput', additionalProperties: false },
);
export type SegmentPreviewInput = Static<typeof SegmentPreviewInput>;

export const SegmentPreview = Type.Object(
  {
    estimatedCount: Type.Integer({
      description:
        'Matching profiles: exact when every profile was scanned, else matches × totalProfiles / scanned',
    }),
    scanned: Type.Integer({ description: 'Profiles evaluated' }),
    totalProfiles: Type.Integer({ description: 'Profiles stored' }),
    sample: Type.Array(Type.Object({ profileId: Type.String() }), {
      description: 'Matching profiles, by id',
    }),
    exact: Type.Boolean({ description: 'Whether every profile was scanned' }),
  },
  { $id: 'SegmentPreview' },
);
export type SegmentPreview = Static<typeof SegmentPreview>;

export const sizeHistoryIntervals = ['hour', 'day'] as const;
export type SizeHistoryInterval = (typeof sizeHistoryIntervals)[number];

export const SegmentSizeHistoryQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        description:
          'ISO-8601 date-time or epoch milliseconds, widened to the start of its bucket; default 30 days (interval day) or 48 hours (interval hour) before `to`',
      }),
    ),
    to: Type.Optional(
      Type.String({
        description:
          'ISO-8601 date-time or epoch milliseconds, widened to the end of its bucket; default now',
      }),
    ),
    interval: Type.Optional(
      Type.Union(
        sizeHistoryIntervals.map((i) => Type.Literal(i)),
        { default: 'day', description: 'Bucket width (UTC hours or days)' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SegmentSizeHistoryQuery = Static<typeof SegmentSizeHistoryQuery>;

export const SegmentSizeHistory = Type.Object(
  {
    interval: Type.Union(sizeHistoryIntervals.map((i) => Type.Literal(i))),
    from: Type.String({ format: 'date-time', description: 'Start of the first bucket' }),
    to: Type.String({ format: 'date-time', description: 'End of the last bucket (exclusive)' }),
    points: Type.Array(
      Type.Object({
        at: Type.String({ format: 'date-time', description: 'Start of the bucket' }),
        size: Type.Integer({
          description: 'Members at the end of the bucket: entries minus exits before its end',
        }),
      }),
      { description: 'One per bucket, oldest first' },
    ),
  },
  { $id: 'SegmentSizeHistory' },
);
export type SegmentSizeHistory = Static<typeof SegmentSizeHistory>;
