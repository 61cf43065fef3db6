import { Type, type Static } from '@sinclair/typebox';

/** One rejected message of a batch. `field` is a JSON pointer into the request body. */
export const RejectedMessage = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    code: Type.String(),
    field: Type.Optional(Type.String()),
    detail: Type.String(),
  },
  { $id: 'RejectedMessage' },
);
export type RejectedMessage = Static<typeof RejectedMessage>;

/** One rejected line of a JSONL import (`POST /v1/import`); `line` counts from 1. */
export const RejectedLine = Type.Object(
  {
    line: Type.Integer({ minimum: 1 }),
    code: Type.String(),
    field: Type.Optional(Type.String()),
    detail: Type.String(),
  },
  { $id: 'RejectedLine' },
);
export type RejectedLine = Static<typeof RejectedLine>;

/** RFC 9457 problem details with Attune's stable `code` and the `field` at fault. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable code from the registry' }),
    detail: Type.String(),
    field: Type.Optional(Type.String({ description: 'JSON pointer to the field at fault' })),
    instance: Type.Optional(Type.String()),
    accepted: Type.Optional(
      Type.Integer({ description: 'Batch: messages stored (or duplicates acknowledged)' }),
    ),
    rejected: Type.Optional(Type.Array(Type.Union([RejectedMessage, RejectedLine]))),
  },
  { $id: 'Problem', additionalProperties: true },
);
export type Problem = Static<typeof Problem>;

export const problemContentType = 'application/problem+json';
