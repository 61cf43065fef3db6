import { Type, type Static } from '@sinclair/typebox';

/**
 * The journey map: ordered stages, each defined by a condition (docs/conditions.md). A
 * profile's stage is the furthest stage whose condition holds (docs/journey-map.md).
 */
export const JourneyMapInput = Type.Object(
  {
    stages: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
          description: Type.Optional(Type.String({ maxLength: 500 })),
          condition: Type.Unknown({ description: 'a condition tree (docs/conditions.md)' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 20 },
    ),
  },
  { $id: 'JourneyMapInput', additionalProperties: false },
);
export type JourneyMapInput = Static<typeof JourneyMapInput>;

export const JourneyMapView = Type.Object(
  {
    version: Type.Integer({ description: '0: the built-in default map' }),
    stages: JourneyMapInput.properties.stages,
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
