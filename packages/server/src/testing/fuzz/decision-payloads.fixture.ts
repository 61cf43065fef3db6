import fc from 'fast-check';
import { anyCondition } from './condition-payloads.fixture.js';
import type { FuzzRequest } from './fuzz-request.fixture.js';
import {
  hostileString,
  hostileValue,
  objectText,
  pollutionKey,
  stringText,
  type JsonText,
} from './hostile-values.fixture.js';

/** The placement the test defines, so decide gets past the lookup to evaluation. */
export const fuzzPlacementId = 'fuzz-hero';

const orHostile = (right: fc.Arbitrary<JsonText>) =>
  fc.oneof(
    { weight: 2, arbitrary: right },
    { weight: 1, arbitrary: hostileValue },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

/** Liquid that parses but fails or runs away at render time, and plain hostile text. */
const template: fc.Arbitrary<JsonText> = fc.oneof(
  fc
    .constantFrom(
      '{% for i in (1..100000000) %}x{% endfor %}',
      "{% include 'x' %}",
      "{% render '../../etc/passwd' %}",
      '{{ traits.constructor.name }}',
      '{{ traits.__proto__ }}',
      '{% assign a = "1,2" | split: "," %}{% for i in (1..30) %}{% assign a = a | concat: a %}{% endfor %}',
      '{{',
      '{% if %}',
      'Hi {{ traits.name | default: "there" }}',
    )
    .map(stringText),
  hostileString.map(stringText),
);

/** Frequency caps, valid and not (zero, fractional, past 30 days, a unit that is not one). */
const cap: fc.Arbitrary<JsonText> = fc.constantFrom(
  '{"max":2,"per":{"amount":1,"unit":"days"}}',
  '{"max":0,"per":{"amount":1,"unit":"days"}}',
  '{"max":1.5,"per":{"amount":1,"unit":"hours"}}',
  '{"max":1,"per":{"amount":31,"unit":"days"}}',
  '{"max":1,"per":{"amount":1,"unit":"fortnights"}}',
  '{"max":1}',
);

const variant = fc
  .record({
    id: orHostile(fc.constantFrom('v1', 'v-2').map(stringText)),
    payload: orHostile(hostileValue),
    template: orHostile(template),
    cap: orHostile(cap),
  })
  .map((f) => objectText(Object.entries(f)));

const rule = fc
  .record({
    id: orHostile(fc.constantFrom('r1', 'r2').map(stringText)),
    condition: anyCondition,
    variant: orHostile(variant),
    priority: orHostile(fc.integer({ min: -5, max: 5 }).map(String)),
    schedule: orHostile(
      fc.constantFrom('{"start":"2026-01-01T00:00:00Z"}', '{"end":"not a date"}', '{"start":1}'),
    ),
    override: orHostile(fc.boolean().map(String)),
    extra: fc.array(fc.tuple(fc.oneof(pollutionKey, hostileString), hostileValue), {
      maxLength: 1,
    }),
  })
  .map(({ extra, ...f }) => objectText([...Object.entries(f), ...extra]));

const placementBody = fc
  .record({
    id: fc.option(
      fc.oneof(fc.constantFrom('fuzz-p', 'FUZZ', '__proto__').map(stringText), hostileValue),
      { nil: undefined },
    ),
    name: orHostile(hostileString.map(stringText)),
    rules: orHostile(fc.array(rule, { maxLength: 3 }).map((rules) => `[${rules.join(',')}]`)),
    fallback: orHostile(variant),
    frequencyCap: orHostile(cap),
  })
  .map((f) => objectText(Object.entries(f)));

const admin = (
  target: string,
  method: FuzzRequest['method'],
  url: string,
  payload?: JsonText,
): FuzzRequest => ({
  target,
  method,
  url,
  auth: 'admin',
  ...(payload === undefined ? {} : { headers: { 'content-type': 'application/json' }, payload }),
});

/** Placement writes: create, replace (the fixed one or a hostile id), delete hostile ids. */
export const placementRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  placementBody.map((body) => admin('placements.create', 'POST', '/v1/placements', body)),
  fc
    .tuple(
      fc.constantFrom('fuzz-p', fuzzPlacementId, '%00', '__proto__', 'x'.repeat(200)),
      placementBody,
    )
    .map(([id, body]) => admin('placements.update', 'PUT', `/v1/placements/${id}`, body)),
  fc
    .constantFrom('fuzz-p', '%2e%2e', 'constructor', '%ZZ')
    .map((id) => admin('placements.delete', 'DELETE', `/v1/placements/${id}`)),
);

const placements = fc.oneof(
  fc.constant(`[${stringText(fuzzPlacementId)}]`),
  // Created by the placement target with hostile templates, when one of its creates passed.
  fc.constant(`[${stringText(fuzzPlacementId)},"fuzz-p"]`),
  fc
    .array(fc.oneof(fc.constant(fuzzPlacementId), hostileString).map(stringText), { maxLength: 60 })
    .map((xs) => `[${xs.join(',')}]`),
  hostileValue,
);

const context = fc.oneof(
  fc.constantFrom(
    '{"page":{"path":"/outdoor"},"campaign":{"name":"winter"}}',
    '{"page":{"path":{"__proto__":{"polluted":1}}}}',
    '{"locale":null,"device":[]}',
  ),
  hostileValue,
);

/** Decide requests with the write key: hostile ids, placement lists and contexts. */
export const decideRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    userId: orHostile(hostileString.map(stringText)),
    anonymousId: orHostile(fc.constantFrom('anon-1', 'fuzz-control').map(stringText)),
    placements: orHostile(placements),
    context: orHostile(context),
    log: orHostile(fc.boolean().map(String)),
    extra: fc.array(fc.tuple(fc.oneof(pollutionKey, hostileString), hostileValue), {
      maxLength: 1,
    }),
  })
  .map(({ extra, ...f }) => ({
    target: 'decide',
    method: 'POST' as const,
    url: '/v1/decide',
    auth: 'write' as const,
    headers: { 'content-type': 'application/json' },
    payload: objectText([...Object.entries(f), ...extra]),
  }));
