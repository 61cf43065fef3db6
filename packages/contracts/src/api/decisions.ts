import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '../conditions/condition.js';

const slug = (description: string) =>
  Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description });

/**
 * At most `max` impressions per profile in any `per` (a sliding window, at most 30 days). An
 * impression is a logged decision (`Decision Served`); `"log": false` asks are not counted.
 */
export const FrequencyCap = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: 1000 }),
    per: DurationSchema,
  },
  { additionalProperties: false },
);
export type FrequencyCap = Static<typeof FrequencyCap>;

/**
 * What a placement shows: a JSON payload for the page's own code, a Liquid template rendered
 * with the profile (traits, computed traits, segment ids, stage) and the request context, or
 * both.
 */
export const VariantInput = Type.Object(
  {
    id: slug('Unique within its placement; reported with every decision'),
    payload: Type.Optional(Type.Unknown({ description: 'Any JSON, returned as is' })),
    template: Type.Optional(
      Type.String({
        maxLength: 20_000,
        description:
          'Liquid, rendered with `traits`, `computed`, `segments` (ids), `stage`, `context`',
      }),
    ),
    /** A rule's variant only: once capped, its rule is passed over and the next one tried. */
    cap: Type.Optional(FrequencyCap),
  },
  { additionalProperties: false },
);
export type VariantInput = Static<typeof VariantInput>;

export const RuleInput = Type.Object(
  {
    id: slug('Unique within its placement; reported with every decision it makes'),
    /** A condition tree (docs/conditions.md), which may test the request `context`. */
    condition: Type.Unknown({ description: 'a condition tree (docs/conditions.md)' }),
    variant: VariantInput,
    /** Higher first; rules of equal priority in list order. Default 0. */
    priority: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000 })),
    /** Applies only from `start` (inclusive) until `end` (exclusive), ISO-8601. */
    schedule: Type.Optional(
      Type.Object(
        {
          start: Type.Optional(Type.String({ format: 'date-time' })),
          end: Type.Optional(Type.String({ format: 'date-time' })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Wins over every rule without it, whatever their priority (e.g. a flash sale). */
    override: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RuleInput = Static<typeof RuleInput>;

export const PlacementInput = Type.Object(
  {
    id: Type.Optional(slug('Optional on create (derived from the name)')),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    rules: Type.Array(RuleInput, { maxItems: 200 }),
    /** Shown when no rule holds, in the holdout, or when deciding ran out of time. */
    fallback: VariantInput,
    /** Caps the impressions of the placement's rule variants together; then the fallback. */
    frequencyCap: Type.Optional(FrequencyCap),
  },
  { $id: 'PlacementInput', additionalProperties: false },
);
export type PlacementInput = Static<typeof PlacementInput>;

export const PlacementView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    version: Type.Integer(),
    rules: Type.Array(Type.Unknown()),
    fallback: Type.Unknown(),
    frequencyCap: Type.Union([FrequencyCap, Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'PlacementView' },
);
export type PlacementView = Static<typeof PlacementView>;

export const PlacementList = Type.Object(
  { placements: Type.Array(PlacementView, { description: 'Not deleted, by id' }) },
  { $id: 'PlacementList' },
);
export type PlacementList = Static<typeof PlacementList>;

export const PlacementParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'The placement id' }),
});

const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/**
 * Where the visitor is, as in a Segment message's `context` (the SDK sends what the page
 * knows). Rules test it with `context` conditions; templates see it as `context`.
 */
export const DecideContext = Type.Object(
  {
    page: Type.Optional(
      Type.Object({
        url: text(2000),
        path: text(2000),
        referrer: text(2000),
        title: text(500),
        search: text(2000),
      }),
    ),
    campaign: Type.Optional(
      Type.Object({
        name: text(500),
        source: text(500),
        medium: text(500),
        term: text(500),
        content: text(500),
      }),
    ),
    device: Type.Optional(Type.Object({ type: text(100) })),
    locale: text(50),
    location: Type.Optional(Type.Object({ country: text(100) })),
  },
  {},
);
export type DecideContext = Static<typeof DecideContext>;

export const DecideRequest = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    placements: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
      minItems: 1,
      maxItems: 50,
    }),
    context: Type.Optional(DecideContext),
    /** The source's write key, for clients that cannot send an Authorization header. */
    writeKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** Log each decision as a `Decision Served` event (default true). */
    log: Type.Optional(Type.Boolean()),
  },
  { $id: 'DecideRequest', additionalProperties: false },
);
export type DecideRequest = Static<typeof DecideRequest>;

/** GET /v1/live: browsers cannot set headers on a WebSocket, so the key comes in the query. */
export const LiveQuery = Type.Object({
  writeKey: Type.Optional(Type.String({ maxLength: 200 })),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
});
export type LiveQuery = Static<typeof LiveQuery>;

export const decisionReasons = [
  /** A rule held. */
  'rule',
  /** An override rule held. */
  'override',
  /** No rule held: the fallback. */
  'no_rule',
  /** The profile is in the global holdout: the fallback. */
  'holdout',
  /** Deciding took longer than the time budget: the fallback. */
  'time_budget',
  /** The chosen variant's template failed to render (e.g. past the render limit): the fallback. */
  'render_error',
  /** A rule held but its variant, or the placement, reached its frequency cap: the fallback. */
  'frequency_cap',
] as const;
export type DecisionReason = (typeof decisionReasons)[number];

export const Decision = Type.Object(
  {
    placement: Type.String(),
    variantId: Type.String(),
    payload: Type.Unknown(),
    /** The variant's template rendered, or null without one. */
    rendered: Type.Union([Type.String(), Type.Null()]),
    ruleId: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union(decisionReasons.map((r) => Type.Literal(r))),
    /** Quote it in `Decision Clicked` (properties.decisionId) to credit the decision. */
    decisionId: Type.String(),
    fallback: Type.Boolean(),
  },
  { $id: 'Decision' },
);
export type Decision = Static<typeof Decision>;

export const DecideResponse = Type.Object(
  { decisions: Type.Array(Decision, { description: 'In the order asked' }) },
  { $id: 'DecideResponse' },
);
export type DecideResponse = Static<typeof DecideResponse>;
