import { Type, type Static } from '@sinclair/typebox';

const sources = ['context', 'event', 'api', 'import', 'gpc', 'tcf'] as const;
export const ConsentSourceName = Type.Union(
  sources.map((s) => Type.Literal(s)),
  { description: 'Where the choice came from' },
);

const Country = Type.String({
  pattern: '^[A-Za-z]{2}$',
  description: 'ISO 3166-1 alpha-2 country code: picks the regional defaults',
});

/** POST /v1/consent: record choices for a person (docs/consent.md). */
export const ConsentUpdate = Type.Object(
  {
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    anonymousId: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    purposes: Type.Record(Type.String(), Type.Boolean(), {
      description: 'Purpose name → granted',
    }),
    source: Type.Optional(
      Type.Union([Type.Literal('api'), Type.Literal('import')], { default: 'api' }),
    ),
    country: Type.Optional(Country),
    timestamp: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the choice was made; default now' }),
    ),
  },
  { additionalProperties: false },
);
export type ConsentUpdate = Static<typeof ConsentUpdate>;

export const ConsentPurposeView = Type.Object({
  granted: Type.Boolean(),
  source: Type.Union([ConsentSourceName, Type.Null()], {
    description: 'null when the default applies',
  }),
  at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  default: Type.Boolean({
    description: 'True when nobody chose and the (regional) default applies',
  }),
});
export type ConsentPurposeView = Static<typeof ConsentPurposeView>;

export const ConsentStateView = Type.Object(
  {
    purposes: Type.Record(Type.String(), ConsentPurposeView),
    country: Type.Union([Type.String(), Type.Null()], {
      description: 'The country whose regional defaults apply, when known',
    }),
  },
  { $id: 'ConsentStateView' },
);
export type ConsentStateView = Static<typeof ConsentStateView>;

export const ConsentChangeView = Type.Object({
  at: Type.String({ format: 'date-time' }),
  source: ConsentSourceName,
  purposes: Type.Record(Type.String(), Type.Boolean()),
  country: Type.Union([Type.String(), Type.Null()]),
});
export type ConsentChangeView = Static<typeof ConsentChangeView>;

export const ProfileConsentView = Type.Object(
  {
    purposes: Type.Record(Type.String(), ConsentPurposeView),
    country: Type.Union([Type.String(), Type.Null()]),
    history: Type.Array(ConsentChangeView, { description: 'Oldest first' }),
  },
  { $id: 'ProfileConsentView' },
);
export type ProfileConsentView = Static<typeof ProfileConsentView>;

const Default = Type.Union([Type.Literal('opt_in'), Type.Literal('opt_out')]);

export const ConsentPolicyView = Type.Object(
  {
    purposes: Type.Record(Type.String(), Default),
    regions: Type.Array(
      Type.Object({
        name: Type.String(),
        countries: Type.Array(Type.String()),
        defaults: Type.Record(Type.String(), Default),
      }),
    ),
    gpcDenies: Type.Array(Type.String()),
    tcfPurposes: Type.Record(Type.String(), Type.Array(Type.Integer())),
    withoutAnalytics: Type.Union([Type.Literal('drop'), Type.Literal('anonymize')]),
  },
  { $id: 'ConsentPolicyView' },
);
export type ConsentPolicyView = Static<typeof ConsentPolicyView>;
