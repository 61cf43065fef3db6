import { Type, type Static } from '@sinclair/typebox';

/**
 * The journey map: ordered stages, each defined by a condition (docs/conditions.md). A
 * profile's stage is the furthest stage whose condition holds (docs/journey-map.md).
 */
const Stage = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    condition: Type.Unknown({ description: 'a condition tree (docs/conditions.md)' }),
  },
  { additionalProperties: false },
);
const Stages = Type.Array(Stage, { minItems: 1, maxItems: 20 });

export const journeyMapTemplates = ['ecommerce'] as const;

/** A map: its stages, or a built-in template (`ecommerce`), which is copied in as stages. */
export const JourneyMapInput = Type.Union(
  [
    Type.Object({ stages: Stages }, { additionalProperties: false }),
    Type.Object(
      { template: Type.Union(journeyMapTemplates.map((t) => Type.Literal(t))) },
      { additionalProperties: false },
    ),
  ],
  { $id: 'JourneyMapInput' },
);
export type JourneyMapInput = Static<typeof JourneyMapInput>;
export type JourneyMapStages = Static<typeof Stages>;

export const JourneyMapView = Type.Object(
  {
    version: Type.Integer({ description: '0: no map set (no stages are kept)' }),
    stages: Type.Array(Stage),
    updatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'JourneyMapView' },
);
export type JourneyMapView = Static<typeof JourneyMapView>;

export const JourneyMapQuery = Type.Object({
  from: Type.Optional(Type.String({ description: 'ISO-8601; default 30 days before `to`' })),
  to: Type.Optional(Type.String({ description: 'ISO-8601; default now' })),
});

export const JourneyMapReport = Type.Object(
  {
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    stages: Type.Array(
      Type.Object({
        name: Type.String(),
        /** Profiles in this stage now. */
        population: Type.Integer(),
        /** Profiles that entered it within the range. */
        entered: Type.Integer(),
        /** Median time spent in it, over the profiles that left it within the range. */
        medianHoursInStage: Type.Union([Type.Number(), Type.Null()]),
      }),
    ),
    transitions: Type.Array(
      Type.Object({
        from: Type.Union([Type.String(), Type.Null()]),
        to: Type.Union([Type.String(), Type.Null()]),
        count: Type.Integer(),
      }),
    ),
  },
  { $id: 'JourneyMapReport' },
);
export type JourneyMapReport = Static<typeof JourneyMapReport>;
