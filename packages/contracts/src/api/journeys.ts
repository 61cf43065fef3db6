import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { PropertyFilterSchema } from '../conditions/condition.js';

/**
 * Journeys: what happens to a profile after an entry (an event, a segment entered, a
 * journey-map stage entered), step by step. docs/journeys.md explains them with examples.
 * Conditions are typed loosely: the server checks them node by node (`checkCondition`).
 */

const StepId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' });
const Condition = Type.Unknown({ description: 'a condition tree (docs/conditions.md)' });
const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const object = <T extends Record<string, TSchema>>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const journeyTimeUnits = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;
/** A length of time, e.g. `{ "amount": 1, "unit": "hours" }` (conditions' units, and seconds). */
export const JourneyDuration = object({
  amount: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  unit: Type.Union(journeyTimeUnits.map((u) => Type.Literal(u))),
});
export type JourneyDuration = Static<typeof JourneyDuration>;

/** Events that count: a name and optional property filters (all must hold). */
export const JourneyEventFilter = object({
  event: Type.String({ minLength: 1, maxLength: 200 }),
  where: Type.Optional(Type.Array(PropertyFilterSchema, { maxItems: 20 })),
});
export type JourneyEventFilter = Static<typeof JourneyEventFilter>;

export const JourneyEntry = Type.Union([
  object({
    event: Type.String({ minLength: 1, maxLength: 200 }),
    where: Type.Optional(Type.Array(PropertyFilterSchema, { maxItems: 20 })),
    /** Tested against the profile as it is after the event. */
    condition: Type.Optional(Condition),
  }),
  object({ segment: Type.String({ minLength: 1, maxLength: 100 }) }),
  object({ stage: Type.String({ minLength: 1, maxLength: 100 }) }),
]);
export type JourneyEntry = Static<typeof JourneyEntry>;

export const EmailAction = object({
  type: Type.Literal('email'),
  /** Liquid templates: `traits`, `computed`, `segments`, `event` (the entry event), `journey`. */
  subject: Type.String({ minLength: 1, maxLength: 1000 }),
  html: Type.Optional(Type.String({ maxLength: 200_000 })),
  text: Type.Optional(Type.String({ maxLength: 200_000 })),
  /** Default: the configured sender. */
  from: Type.Optional(Type.String({ minLength: 3, maxLength: 300 })),
  /** The trait holding the address (default `email`). */
  toTrait: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** The consent purpose the send needs (default `marketing_email`). */
  purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
});

export const WebhookAction = object({
  type: Type.Literal('webhook'),
  url: Type.String({ pattern: '^https?://', maxLength: 2000 }),
  /** When set, the send needs this consent purpose and counts against caps as a send. */
  purpose: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  /** Per attempt, ms. */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
  /** Attempts after the first; then the delivery is dead-lettered. */
  retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  /** Extra JSON merged into the body under `data`. */
  data: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const UpdateTraitsAction = object({
  type: Type.Literal('update_traits'),
  traits: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Unknown(), {
    minProperties: 1,
  }),
});

export const TrackEventAction = object({
  type: Type.Literal('track_event'),
  event: Type.String({ minLength: 1, maxLength: 200 }),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const JourneyAction = Type.Union([
  EmailAction,
  WebhookAction,
  UpdateTraitsAction,
  TrackEventAction,
]);
export type JourneyAction = Static<typeof JourneyAction>;

export const JourneyStep = Type.Union([
  object({
    type: Type.Literal('wait'),
    /** Either a duration, or `until` a time of day in the profile's time zone. */
    duration: Type.Optional(JourneyDuration),
    until: Type.Optional(TimeOfDay),
    next: StepId,
  }),
  object({
    type: Type.Literal('wait_for'),
    event: Type.String({ minLength: 1, maxLength: 200 }),
    where: Type.Optional(Type.Array(PropertyFilterSchema, { maxItems: 20 })),
    timeout: JourneyDuration,
    /** Where the profile goes when the event comes first… */
    onEvent: StepId,
    /** …and when the timeout does. */
    onTimeout: StepId,
  }),
  object({
    type: Type.Literal('branch'),
    branches: Type.Array(object({ condition: Condition, next: StepId }), {
      minItems: 1,
      maxItems: 20,
    }),
    otherwise: StepId,
  }),
  object({
    type: Type.Literal('split'),
    /** Percentages summing to 100; a profile always takes the same path. */
    paths: Type.Array(
      object({ percent: Type.Integer({ minimum: 0, maximum: 100 }), next: StepId }),
      {
        minItems: 2,
        maxItems: 10,
      },
    ),
  }),
  object({ type: Type.Literal('action'), action: JourneyAction, next: Type.Optional(StepId) }),
  object({ type: Type.Literal('exit') }),
]);
export type JourneyStep = Static<typeof JourneyStep>;

export const channels = ['email', 'webhook'] as const;
export type Channel = (typeof channels)[number];

export const JourneyInput = Type.Object(
  {
    /** Optional on create (derived from the name); a slug. */
    id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$' })),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    entry: JourneyEntry,
    /** The first step. */
    start: StepId,
    steps: Type.Record(StepId, JourneyStep, { minProperties: 1, maxProperties: 100 }),
    /** Reaching it exits the profile and counts a conversion (also after the last step). */
    goal: Type.Optional(
      object({
        event: Type.String({ minLength: 1, maxLength: 200 }),
        where: Type.Optional(Type.Array(PropertyFilterSchema, { maxItems: 20 })),
        /** Counted when it happens this long after entry at most (default 7 days). */
        within: Type.Optional(JourneyDuration),
      }),
    ),
    /** Any of these events exits the profile at once. */
    exitOn: Type.Optional(Type.Array(JourneyEventFilter, { maxItems: 20 })),
    /** Whether a profile that was in the journey may enter again (default `never`). */
    reentry: Type.Optional(
      Type.Union([
        object({ policy: Type.Literal('never') }),
        object({ policy: Type.Literal('always') }),
        object({
          policy: Type.Literal('after'),
          days: Type.Integer({ minimum: 1, maximum: 3650 }),
        }),
      ]),
    ),
    /**
     * Sends of this journey on a channel wait out these limits, counting every journey's
     * sends to the profile (e.g. at most 2 emails a day).
     */
    caps: Type.Optional(
      Type.Array(
        object({
          channel: Type.Union(channels.map((c) => Type.Literal(c))),
          max: Type.Integer({ minimum: 1, maximum: 1000 }),
          per: JourneyDuration,
        }),
        { maxItems: 10 },
      ),
    ),
    /** Sends falling in this local window (the profile's `timezone` trait) wait for its end. */
    quietHours: Type.Optional(object({ from: TimeOfDay, to: TimeOfDay })),
    /** Paused journeys admit nobody; profiles inside go on. */
    paused: Type.Optional(Type.Boolean()),
  },
  { $id: 'JourneyInput', additionalProperties: false },
);
export type JourneyInput = Static<typeof JourneyInput>;

export const JourneyView = Type.Object(
  {
    id: Type.String(),
    version: Type.Integer(),
    definition: Type.Unknown({ description: 'The JourneyInput of this version' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'JourneyView' },
);
export type JourneyView = Static<typeof JourneyView>;

export const JourneyList = Type.Object(
  { journeys: Type.Array(JourneyView) },
  { $id: 'JourneyList' },
);

export const JourneyParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 100, description: 'The journey id' }),
});

export const stepCounters = [
  'entered',
  'exited',
  'converted',
  'sent',
  'failed',
  'suppressedConsent',
  'suppressedCap',
  'deadLettered',
] as const;
export type StepCounter = (typeof stepCounters)[number];

const StepStats = Type.Object({
  entered: Type.Integer(),
  exited: Type.Integer(),
  converted: Type.Integer(),
  sent: Type.Integer(),
  failed: Type.Integer(),
  suppressedConsent: Type.Integer(),
  suppressedCap: Type.Integer(),
  deadLettered: Type.Integer(),
  /** Profiles at this step now (waiting, or queued to run it). */
  waiting: Type.Integer(),
});

export const JourneyStats = Type.Object(
  {
    journeyId: Type.String(),
    version: Type.Integer(),
    totals: Type.Object({
      entered: Type.Integer(),
      active: Type.Integer(),
      completed: Type.Integer(),
      exited: Type.Integer(),
      converted: Type.Integer(),
    }),
    /** Counted over every version of the journey, by step id. */
    steps: Type.Record(Type.String(), StepStats),
  },
  { $id: 'JourneyStats' },
);
export type JourneyStats = Static<typeof JourneyStats>;

export const DeadLetterView = Type.Object({
  actionId: Type.String(),
  journeyId: Type.String(),
  version: Type.Integer(),
  profileId: Type.String(),
  step: Type.String(),
  url: Type.String(),
  attempts: Type.Integer(),
  lastError: Type.String(),
  at: Type.String({ format: 'date-time' }),
});
export const DeadLetterList = Type.Object(
  { deadLetters: Type.Array(DeadLetterView) },
  { $id: 'DeadLetterList' },
);
export type DeadLetterList = Static<typeof DeadLetterList>;

export const CartAbandonmentQuery = Type.Object(
  {
    /** How long to wait for Order Completed, minutes (default 60). */
    waitMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** How long after entry a purchase counts as converted, days (default 3). */
    goalDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
  },
  { additionalProperties: false },
);
