import type { KeyRole } from './keys.js';

/**
 * What a route may require. Every admin route declares exactly one in its route config
 * (`config: { permission }`); routes for write keys declare `write_key`, open ones `public`.
 * `*:read_pii` permissions are what un-masks PII in responses.
 */
export const permissions = [
  'aggregates:read',
  'events:read',
  'profiles:read',
  'profiles:read_pii',
  'segments:read',
  'segments:write',
  'journey_map:read',
  'journey_map:write',
  'decisions:read',
  'decisions:write',
  'journeys:read',
  'journeys:write',
  'quality:read',
  'quality:write',
  'rfm:read',
  'rfm:write',
  'imports:write',
  'consent:read',
  'consent:write',
  'privacy:export',
  'privacy:erase',
  'retention:read',
  'retention:write',
  'keys:manage',
  'audit:read',
  'config:write',
] as const;
export type Permission = (typeof permissions)[number];

/** What a route declares: a permission of secret keys, or one of the two other kinds. */
export type RouteAccess = Permission | 'write_key' | 'public';

const readAll: Permission[] = [
  'aggregates:read',
  'events:read',
  'profiles:read',
  'segments:read',
  'journey_map:read',
  'decisions:read',
  'journeys:read',
  'quality:read',
  'rfm:read',
  'consent:read',
  'retention:read',
];

export const rolePermissions: Record<KeyRole, readonly Permission[]> = {
  admin: permissions,
  marketer: [
    ...readAll,
    'segments:write',
    'journey_map:write',
    'decisions:write',
    'journeys:write',
    'rfm:write',
  ],
  analyst: readAll,
  viewer: ['aggregates:read'],
};

export function roleAllows(role: KeyRole, permission: Permission): boolean {
  return rolePermissions[role].includes(permission);
}
