import { Type, type Static } from '@sinclair/typebox';

const Quintiles = (what: string) =>
  Type.Array(Type.Number(), {
    minItems: 4,
    maxItems: 4,
    description: `The 20th, 40th, 60th and 80th percentiles of ${what} over customers`,
  });

/**
 * The RFM breakpoints in force: one version, computed over the profiles with at least one
 * order (customers). A profile's `computed.rfm.score` is scored against the latest one
 * (docs/rfm.md).
 */
export const RfmSnapshot = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    computedAt: Type.String({ format: 'date-time' }),
    customers: Type.Integer({ description: 'Profiles with at least one order' }),
    breakpoints: Type.Object({
      recency: Quintiles('days since the last order'),
      frequency: Quintiles('orders'),
      monetary: Quintiles('revenue'),
    }),
  },
  { $id: 'RfmSnapshot' },
);
export type RfmSnapshot = Static<typeof RfmSnapshot>;

export const RfmSnapshotsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })) },
  { additionalProperties: false },
);
export type RfmSnapshotsQuery = Static<typeof RfmSnapshotsQuery>;

export const RfmSnapshotList = Type.Object(
  { snapshots: Type.Array(RfmSnapshot, { description: 'Newest first' }) },
  { $id: 'RfmSnapshotList' },
);
export type RfmSnapshotList = Static<typeof RfmSnapshotList>;

export const RfmRecomputeResult = Type.Object(
  {
    snapshot: Type.Union([RfmSnapshot, Type.Null()], {
      description: 'The latest snapshot after the run; null while there are no customers',
    }),
    changed: Type.Boolean({
      description: 'Whether the breakpoints moved, so that a new version was saved',
    }),
    profilesScanned: Type.Integer(),
    ms: Type.Number({ description: 'How long the run took' }),
  },
  { $id: 'RfmRecomputeResult' },
);
export type RfmRecomputeResult = Static<typeof RfmRecomputeResult>;

const ScoreRange = Type.Array(Type.Integer({ minimum: 1, maximum: 5 }), {
  minItems: 2,
  maxItems: 2,
  description: '[low, high], inclusive',
});

export const RfmSegmentDefinitionView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    cells: Type.Array(Type.Object({ r: ScoreRange, f: ScoreRange }), {
      description: 'The (R, F) score ranges it holds',
    }),
    condition: Type.Unknown({ description: 'a condition tree on rfm.score (docs/conditions.md)' }),
  },
  { $id: 'RfmSegmentDefinition' },
);
export type RfmSegmentDefinitionView = Static<typeof RfmSegmentDefinitionView>;

export const RfmSegmentList = Type.Object(
  { segments: Type.Array(RfmSegmentDefinitionView) },
  { $id: 'RfmSegmentList' },
);
export type RfmSegmentList = Static<typeof RfmSegmentList>;

export const RfmSegmentsInstallResult = Type.Object(
  {
    created: Type.Array(Type.String(), { description: 'Segment ids created now' }),
    skipped: Type.Array(Type.String(), {
      description: 'Ids already taken (the segment exists, or existed and was deleted)',
    }),
  },
  { $id: 'RfmSegmentsInstallResult' },
);
export type RfmSegmentsInstallResult = Static<typeof RfmSegmentsInstallResult>;
