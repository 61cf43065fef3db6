import { Type, type Static } from '@sinclair/typebox';

/** One audit record: who (which key, which role), when, what, on what, from where, outcome. */
export const AuditEntry = Type.Object(
  {
    seq: Type.Integer({ description: 'Position in the log; strictly increasing' }),
    at: Type.String({ description: 'ISO-8601 time of the request' }),
    keyId: Type.Union([Type.String(), Type.Null()], {
      description: 'The secret key used; null when none was valid',
    }),
    role: Type.Union([Type.String(), Type.Null()]),
    action: Type.String({ description: 'e.g. profile.read, keys.create, segment.update' }),
    method: Type.String(),
    url: Type.String(),
    target: Type.Union([Type.String(), Type.Null()], {
      description:
        'What was acted on: a key id, a segment id; a person (profile id or identifier) as its keyed pseudonym, never in the clear',
    }),
    ip: Type.String(),
    status: Type.Integer({ description: 'HTTP status of the response' }),
    detail: Type.Unknown(),
    prevHash: Type.String(),
    hash: Type.String({ description: 'SHA-256 over prevHash and this record' }),
  },
  { $id: 'AuditEntry' },
);
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0, description: 'Entries after this seq' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    action: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    keyId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    target: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description: 'A key id, segment id, profile id or `type:value` identifier',
      }),
    ),
    since: Type.Optional(
      Type.String({ minLength: 1, maxLength: 40, description: 'ISO-8601; entries at or after' }),
    ),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditPage = Type.Object(
  {
    entries: Type.Array(AuditEntry, { description: 'Oldest first' }),
    next: Type.Union([Type.Integer(), Type.Null()], {
      description: 'Pass as `after` for the next page; null at the end',
    }),
  },
  { $id: 'AuditPage' },
);
export type AuditPage = Static<typeof AuditPage>;

export const AuditVerification = Type.Object(
  {
    ok: Type.Boolean(),
    checked: Type.Integer({ description: 'Entries whose hash was recomputed' }),
    firstBrokenSeq: Type.Union([Type.Integer(), Type.Null()], {
      description: 'The first entry whose hash or link does not match; null when ok',
    }),
  },
  { $id: 'AuditVerification' },
);
export type AuditVerification = Static<typeof AuditVerification>;
