import { Type, type Static } from '@sinclair/typebox';

/**
 * A user-defined computed trait: one aggregate of an event property, kept incrementally
 * by the processor and shown under `computed.<name>` of a profile. Example:
 *   { "name": "revenue_90d", "function": "sum", "event": "Order Completed",
 *     "property": ["revenue", "total"], "windowDays": 90 }
 */
export const PropertyConditionSchema = Type.Object(
  {
    property: Type.String({ minLength: 1, description: 'path in properties, dots for nesting' }),
    op: Type.Union(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists'].map((op) => Type.Literal(op))),
    value: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const ComputedTraitDefinitionSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }),
    function: Type.Union(
      ['count', 'sum', 'min', 'max', 'first', 'last', 'distinct_count'].map((f) => Type.Literal(f)),
    ),
    event: Type.String({ minLength: 1 }),
    property: Type.Optional(
      Type.Union([
        Type.String({ minLength: 1 }),
        Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
      ]),
    ),
    where: Type.Optional(Type.Array(PropertyConditionSchema)),
    windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type ComputedTraitDefinitionInput = Static<typeof ComputedTraitDefinitionSchema>;

export const ComputedTraitsFileSchema = Type.Array(ComputedTraitDefinitionSchema);
