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
