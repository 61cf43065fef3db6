import { Type, type Static } from '@sinclair/typebox';

/** A JSON Schema (draft-07) as sent by the user: an object, or true/false. */
export const JsonSchemaDocument = Type.Union(
  [Type.Boolean(), Type.Record(Type.String(), Type.Unknown())],
  {
    description: 'A JSON Schema (draft-07)',
  },
);
export type JsonSchemaDocument = Static<typeof JsonSchemaDocument>;

export const trackingPlanModes = ['flag', 'reject'] as const;
export type TrackingPlanMode = (typeof trackingPlanModes)[number];

const SchemasByName = (what: string) =>
  Type.Record(Type.String({ minLength: 1 }), JsonSchemaDocument, {
    description: `${what} name → JSON Schema of its \`properties\``,
  });

/**
 * A source's tracking plan: what its messages should look like. `flag` stores violating
 * messages and counts them; `reject` refuses them with `tracking_plan_violation`.
 */
export const TrackingPlan = Type.Object(
  {
    mode: Type.Union(
      trackingPlanModes.map((m) => Type.Literal(m)),
      { description: 'flag: store and count violations; reject: refuse violating messages' },
    ),
    events: SchemasByName('track event'),
    identifyTraits: Type.Optional(JsonSchemaDocument),
    pages: Type.Optional(SchemasByName('page')),
    screens: Type.Optional(SchemasByName('screen')),
  },
  { $id: 'TrackingPlan', additionalProperties: false },
);
export type TrackingPlan = Static<typeof TrackingPlan>;

export const TrackingPlanView = Type.Object(
  {
    sourceId: Type.String(),
    ...TrackingPlan.properties,
    version: Type.Integer({ description: 'Starts at 1; every PUT adds one' }),
    updatedAt: Type.String(),
  },
  { $id: 'TrackingPlanView' },
);
export type TrackingPlanView = Static<typeof TrackingPlanView>;

export const SourceParams = Type.Object({ sourceId: Type.String({ minLength: 1 }) });

export const QualityQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ description: 'ISO-8601 date-time or epoch milliseconds; default now − 24 h' }),
    ),
    to: Type.Optional(
      Type.String({ description: 'ISO-8601 date-time or epoch milliseconds; default now' }),
    ),
    source: Type.Optional(Type.String({ minLength: 1, description: 'Only this source' })),
  },
  { additionalProperties: false },
);
export type QualityQuery = Static<typeof QualityQuery>;

export const qualityOutcomes = [
  'accepted',
  'flagged',
  'rejected',
  'deduplicated',
  'dropped',
] as const;
export type QualityOutcome = (typeof qualityOutcomes)[number];

const outcomeCounts = {
  accepted: Type.Integer({ description: 'Stored, with nothing to flag' }),
  flagged: Type.Integer({ description: 'Stored, but violating the tracking plan (flag mode)' }),
  rejected: Type.Integer({ description: 'Refused as bad input (a refused request counts once)' }),
  deduplicated: Type.Integer({ description: 'Acknowledged as duplicates, not stored again' }),
  dropped: Type.Integer({ description: 'Deliberately not stored (consent, suppression)' }),
};
export const OutcomeCounts = Type.Object(outcomeCounts);
export type OutcomeCounts = Static<typeof OutcomeCounts>;

const nullableText = Type.Union([Type.String(), Type.Null()]);

export const QualityReport = Type.Object(
  {
    from: Type.String({ description: 'Start of the hours covered (inclusive)' }),
    to: Type.String({ description: 'End of the hours covered (exclusive)' }),
    source: nullableText,
    totals: OutcomeCounts,
    bySource: Type.Array(Type.Object({ source: Type.String(), ...outcomeCounts })),
    byEvent: Type.Array(
      Type.Object({
        source: Type.String(),
        type: nullableText,
        event: nullableText,
        ...outcomeCounts,
      }),
    ),
    byReason: Type.Array(
      Type.Object({
        outcome: Type.Union(qualityOutcomes.map((o) => Type.Literal(o))),
        reason: Type.String(),
        count: Type.Integer(),
      }),
    ),
    fields: Type.Array(
      Type.Object({
        source: Type.String(),
        type: Type.String(),
        event: nullableText,
        field: Type.String({ description: 'JSON pointer into the message; array items as *' }),
        checked: Type.Integer({ description: 'Messages of this event checked against the plan' }),
        missing: Type.Integer(),
        invalid: Type.Integer(),
        missingRate: Type.Number(),
        invalidRate: Type.Number(),
      }),
    ),
    identity: Type.Object({
      conflicts: Type.Integer(),
      conflictsByReason: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
      invalidIdentifiers: Type.Integer(),
      invalidIdentifiersByType: Type.Array(
        Type.Object({ type: Type.String(), reason: Type.String(), count: Type.Integer() }),
      ),
    }),
  },
  { $id: 'QualityReport' },
);
export type QualityReport = Static<typeof QualityReport>;

/**
 * Reasons the quality counts use besides error codes (rejected) and drop reasons (dropped).
 * Accepted messages: `conforms` (checked against a schema of the plan, valid), `unplanned`
 * (the source has a plan but no schema for this message), '' (no plan applies).
 */
export const qualityReasons = {
  conforms: 'conforms',
  unplanned: 'unplanned',
  violation: 'tracking_plan_violation',
} as const;
