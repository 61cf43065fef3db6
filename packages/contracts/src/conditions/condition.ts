import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * The condition language: one JSON tree for segments, decision rules, journey branches and
 * journey-map stages. docs/conditions.md documents it with examples. Each node has a
 * `type`; the engine compiles a tree into a predicate over a profile (its traits, computed
 * traits, event history, memberships, stage, consent) at an instant.
 */

const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

export const timeUnits = ['minutes', 'hours', 'days', 'weeks'] as const;
export type TimeUnit = (typeof timeUnits)[number];

/** A length of time, e.g. `{ "amount": 24, "unit": "hours" }`. */
export const DurationSchema = Type.Object(
  {
    amount: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    unit: literals(timeUnits),
  },
  { additionalProperties: false },
);
export type DurationSpec = Static<typeof DurationSchema>;

/** An instant: ISO-8601 date or date-time text, or epoch milliseconds. */
export const InstantSchema = Type.Union([
  Type.String({ minLength: 10, maxLength: 40 }),
  Type.Integer(),
]);

export const comparisonOps = [
  'eq',
  'neq',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'exists',
  'not_exists',
  'before',
  'after',
  'within_last',
] as const;
export type ComparisonOp = (typeof comparisonOps)[number];

/**
 * A test of one value (a trait, a computed trait, an event property). `value` depends on
 * `op`: a scalar for eq…lte, contains, starts_with; `[low, high]` for between; an array for
 * in/not_in; an instant for before/after; a duration for within_last; nothing for exists.
 */
const comparisonFields = {
  op: literals(comparisonOps),
  value: Type.Optional(Type.Unknown()),
  /** Compare strings ignoring case (eq, neq, in, not_in, contains, starts_with). */
  caseInsensitive: Type.Optional(Type.Boolean()),
};

export const PropertyFilterSchema = Type.Object(
  {
    /** Path in the event's properties, dots for nesting (`product.category`). */
    property: Type.String({ minLength: 1, maxLength: 200 }),
    ...comparisonFields,
  },
  { additionalProperties: false },
);
export type PropertyFilter = Static<typeof PropertyFilterSchema>;

/** Which events count: a name, optional property filters (all must hold). */
const eventFilterFields = {
  event: Type.String({ minLength: 1, maxLength: 200 }),
  where: Type.Optional(Type.Array(PropertyFilterSchema, { maxItems: 20 })),
};
export const EventFilterSchema = Type.Object(eventFilterFields, { additionalProperties: false });
export type EventFilterSpec = Static<typeof EventFilterSchema>;

/** Events in the last N units before the instant of evaluation, or in a fixed range. */
export const EventWindowSchema = Type.Union([
  Type.Object({ last: DurationSchema }, { additionalProperties: false }),
  Type.Object(
    { from: Type.Optional(InstantSchema), to: Type.Optional(InstantSchema) },
    { additionalProperties: false },
  ),
]);
export type EventWindowSpec = Static<typeof EventWindowSchema>;

export const countOps = ['at_least', 'at_most', 'exactly'] as const;

export const TraitConditionSchema = Type.Object(
  {
    type: Type.Literal('trait'),
    /** Trait name; dots reach into objects (`address.city`). */
    trait: Type.String({ minLength: 1, maxLength: 200 }),
    ...comparisonFields,
  },
  { additionalProperties: false },
);

export const ComputedConditionSchema = Type.Object(
  {
    type: Type.Literal('computed'),
    /**
     * Path in the profile's `computed` view: `rfm.recencyDays`, `rfm.frequency`,
     * `rfm.windows.30d.monetary`, `rfm.score.r` (quintile 1–5), `eventCounts.Product Viewed`,
     * or a user-defined trait.
     */
    path: Type.String({ minLength: 1, maxLength: 200 }),
    ...comparisonFields,
  },
  { additionalProperties: false },
);

export const EventConditionSchema = Type.Object(
  {
    type: Type.Literal('event'),
    ...eventFilterFields,
    /** How many times (default: at least once). `at_most 0` is "not performed". */
    count: Type.Optional(
      Type.Object(
        { op: literals(countOps), value: Type.Integer({ minimum: 0, maximum: 1000 }) },
        { additionalProperties: false },
      ),
    ),
    /** Default: all history. */
    window: Type.Optional(EventWindowSchema),
  },
  { additionalProperties: false },
);

export const EventTimeConditionSchema = Type.Object(
  {
    type: Type.Literal('event_time'),
    ...eventFilterFields,
    /** The first or the last time the event was performed (false when never). */
    which: literals(['first', 'last'] as const),
    op: literals(['before', 'after', 'within_last'] as const),
    value: Type.Unknown(),
  },
  { additionalProperties: false },
);

export const SequenceConditionSchema = Type.Object(
  {
    type: Type.Literal('sequence'),
    first: EventFilterSchema,
    then: EventFilterSchema,
    /** `then` at most this long after `first`. */
    within: DurationSchema,
  },
  { additionalProperties: false },
);

export const NotFollowedConditionSchema = Type.Object(
  {
    type: Type.Literal('not_followed'),
    /** The latest such event starts the clock… */
    first: EventFilterSchema,
    /** …and holds once `within` has passed without this one (cart abandonment). */
    by: EventFilterSchema,
    within: DurationSchema,
  },
  { additionalProperties: false },
);

export const SegmentConditionSchema = Type.Object(
  {
    type: Type.Literal('segment'),
    segment: Type.String({ minLength: 1, maxLength: 100 }),
    /** Default true: the profile is a member; false: it is not. */
    member: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const StageConditionSchema = Type.Object(
  {
    type: Type.Literal('stage'),
    op: literals(['eq', 'neq', 'in', 'not_in'] as const),
    value: Type.Union([
      Type.String({ minLength: 1 }),
      Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    ]),
  },
  { additionalProperties: false },
);

export const ConsentConditionSchema = Type.Object(
  {
    type: Type.Literal('consent'),
    purpose: Type.String({ minLength: 1, maxLength: 100 }),
    state: literals(['granted', 'denied'] as const),
  },
  { additionalProperties: false },
);

/**
 * Fields of the request context a decision is asked in (names as in a Segment message's
 * `context`). Only decision rules can test them: segments, stages and journeys are
 * evaluated without a request.
 */
export const contextFields = [
  'page.url',
  'page.path',
  'page.referrer',
  'page.title',
  'page.search',
  'campaign.name',
  'campaign.source',
  'campaign.medium',
  'campaign.term',
  'campaign.content',
  'device.type',
  'locale',
  'location.country',
] as const;
export type ContextField = (typeof contextFields)[number];

export const ContextConditionSchema = Type.Object(
  {
    type: Type.Literal('context'),
    field: literals(contextFields),
    ...comparisonFields,
  },
  { additionalProperties: false },
);

/** The leaves, by `type`. */
export const leafConditionSchemas = {
  trait: TraitConditionSchema,
  computed: ComputedConditionSchema,
  event: EventConditionSchema,
  event_time: EventTimeConditionSchema,
  sequence: SequenceConditionSchema,
  not_followed: NotFollowedConditionSchema,
  segment: SegmentConditionSchema,
  stage: StageConditionSchema,
  consent: ConsentConditionSchema,
  context: ContextConditionSchema,
} as const;

export type TraitCondition = Static<typeof TraitConditionSchema>;
export type ComputedCondition = Static<typeof ComputedConditionSchema>;
export type EventCondition = Static<typeof EventConditionSchema>;
export type EventTimeCondition = Static<typeof EventTimeConditionSchema>;
export type SequenceCondition = Static<typeof SequenceConditionSchema>;
export type NotFollowedCondition = Static<typeof NotFollowedConditionSchema>;
export type SegmentCondition = Static<typeof SegmentConditionSchema>;
export type StageCondition = Static<typeof StageConditionSchema>;
export type ConsentCondition = Static<typeof ConsentConditionSchema>;
export type ContextCondition = Static<typeof ContextConditionSchema>;
export type LeafCondition =
  | TraitCondition
  | ComputedCondition
  | EventCondition
  | EventTimeCondition
  | SequenceCondition
  | NotFollowedCondition
  | SegmentCondition
  | StageCondition
  | ConsentCondition
  | ContextCondition;

export type Condition =
  | LeafCondition
  | { type: 'and'; conditions: Condition[] }
  | { type: 'or'; conditions: Condition[] }
  | { type: 'not'; condition: Condition };

/** The whole tree, for OpenAPI and for clients; `checkCondition` (engine) validates it node by node. */
export const ConditionSchema = Type.Recursive(
  (Self) =>
    Type.Union([
      ...Object.values(leafConditionSchemas),
      Type.Object(
        {
          type: Type.Literal('and'),
          conditions: Type.Array(Self, { minItems: 1, maxItems: 100 }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        { type: Type.Literal('or'), conditions: Type.Array(Self, { minItems: 1, maxItems: 100 }) },
        { additionalProperties: false },
      ),
      Type.Object({ type: Type.Literal('not'), condition: Self }, { additionalProperties: false }),
    ] as TSchema[]),
  { $id: 'Condition' },
);
