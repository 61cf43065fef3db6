import { Type, type Static } from '@sinclair/typebox';

export const keyKinds = ['write', 'secret'] as const;
export type KeyKind = (typeof keyKinds)[number];

/**
 * Roles of secret keys: `admin` may do everything; `marketer` manages segments, placements
 * and journeys and reads profiles with PII masked; `analyst` reads everything with PII
 * masked; `viewer` reads aggregates only. What each may do is `rolePermissions`.
 */
export const keyRoles = ['admin', 'marketer', 'analyst', 'viewer'] as const;
export type KeyRole = (typeof keyRoles)[number];

export const ApiKeyInfo = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union(keyKinds.map((k) => Type.Literal(k))),
    role: Type.Union([Type.Union(keyRoles.map((r) => Type.Literal(r))), Type.Null()]),
    sourceId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    hint: Type.String({ description: 'First characters of the key, to recognise it' }),
    createdAt: Type.String(),
    revokedAt: Type.Union([Type.String(), Type.Null()]),
    expiresAt: Type.Union([Type.String(), Type.Null()], {
      description: 'When the key stops working; null: never',
    }),
  },
  { $id: 'ApiKeyInfo' },
);
export type ApiKeyInfo = Static<typeof ApiKeyInfo>;

export const CreateKeyRequest = Type.Object(
  {
    kind: Type.Union(keyKinds.map((k) => Type.Literal(k))),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    sourceId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    role: Type.Optional(Type.Union(keyRoles.map((r) => Type.Literal(r)))),
    expiresAt: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 40,
        description: 'ISO-8601 time after which the key is refused; omit for no expiry',
      }),
    ),
  },
  { $id: 'CreateKeyRequest', additionalProperties: false },
);
export type CreateKeyRequest = Static<typeof CreateKeyRequest>;

export const CreatedKey = Type.Object(
  { key: Type.String({ description: 'Shown once; only a hash is stored' }), info: ApiKeyInfo },
  { $id: 'CreatedKey' },
);
export type CreatedKey = Static<typeof CreatedKey>;
