import fc from 'fast-check';
import { hostilePathParam } from './admin-payloads.fixture.js';
import type { FuzzRequest } from './fuzz-request.fixture.js';
import { hostileString, pollutionKeys } from './hostile-values.fixture.js';

/** Query values: numbers out of range or not numbers, dates out of range, encodings. */
const queryValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1',
    '1.5',
    'NaN',
    'Infinity',
    '1e400',
    '99999999999999999999',
    '0x10',
    '+275760-09-13T00:00:00.001Z',
    '99999-01-01T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '2024-02-30T00:00:00Z',
    'yesterday',
    '%00',
    '%',
    '%ZZ',
    '%ED%A0%80',
    'a%26b%3Dc',
    'x'.repeat(5000),
    'track',
    'user_id:u1',
    '__proto__',
    'constructor',
  ),
  hostileString.map((s) => encodeURIComponentSafe(s)),
);

/** Keys the routes know, keys they do not, and keys that look like object paths. */
const queryKey = fc.constantFrom(
  'after',
  'limit',
  'before',
  'cursor',
  'from',
  'to',
  'type',
  'event',
  'userId',
  'anonymousId',
  'source',
  'history',
  'granularity',
  'trait.plan',
  'trait.email',
  'trait.',
  'trait',
  ...pollutionKeys.map((k) => `trait.${k}`),
  ...pollutionKeys,
  '__proto__[fuzzPolluted]',
  'constructor[prototype][fuzzPolluted]',
  'a[]',
  'limit[]',
);

const queryString = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

/** Every admin read, `:id` standing for the hostile path parameter. */
const readRoutes = [
  '/v1/profiles/:id',
  '/v1/profiles/:id/events',
  '/v1/profiles/:id/merges',
  '/v1/profiles/:id/segments',
  '/v1/profiles',
  '/v1/events',
  '/v1/identity/conflicts',
  '/v1/segments',
  '/v1/segments/:id',
  '/v1/segments/:id/versions',
  '/v1/segments/:id/members',
  '/v1/segments/:id/size-history',
  '/v1/keys',
  '/v1/sources/:id/tracking-plan',
  '/v1/quality',
  '/v1/rfm',
  '/v1/rfm/snapshots',
  '/v1/rfm/segments',
  '/v1/journey-map',
  '/v1/journey-map/definition',
  '/v1/profiles/:id/consent',
  '/v1/consent/policy',
  '/v1/privacy/profiles/:id/export',
  '/v1/privacy/retention',
  '/v1/audit',
  '/v1/audit/verify',
  '/metrics',
  '/readyz',
];

export const readRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route: fc.constantFrom(...readRoutes),
    id: fc.oneof(fc.constantFrom('user_id:u1', 'fuzz-base'), hostilePathParam),
    query: queryString,
    auth: fc.oneof(
      { weight: 8, arbitrary: fc.constant('admin' as const) },
      { weight: 1, arbitrary: fc.constantFrom('write' as const, 'none' as const) },
    ),
  })
  .map(({ route, id, query, auth }) => ({
    target: `read ${route}`,
    method: 'GET' as const,
    url: `${route.replace(':id', id)}${query}`,
    auth,
  }));

function encodeURIComponentSafe(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // Lone surrogates cannot be encoded; send them as their replacement bytes.
    return [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}
