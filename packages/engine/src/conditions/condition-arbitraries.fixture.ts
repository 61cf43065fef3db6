/** fast-check arbitraries for condition trees and inputs, shared by the compilers' tests. */
import type { Condition } from '@attune/contracts';
import fc from 'fast-check';
import type { ConditionInput } from './compile-condition.js';

// Values that would break generated code if they were ever written into it unescaped.
export const hostile = [
  '"); globalThis.pwned = 1; ("',
  "'; globalThis.pwned = 1; '",
  '\\',
  '\u2028',
  '${globalThis.pwned = 1}',
  '*/ globalThis.pwned = 1 /*',
];
const texts = ['pro', 'PRO', 'vip', '', '42', '/outdoor', ...hostile];
const paths = ['plan', 'ltv', 'a.b', 'a', 'page.path', 'constructor', 'a.constructor', ...hostile];
const scalar = fc.oneof(
  fc.constantFrom(...texts),
  fc.constantFrom(0, 1, 41.5, 42, -3),
  fc.boolean(),
);
const comparison = fc.oneof(
  fc.record({ op: fc.constantFrom('eq', 'neq', 'contains', 'starts_with'), value: scalar }),
  fc.record({ op: fc.constantFrom('gt', 'gte', 'lt', 'lte'), value: scalar }),
  fc.record({
    op: fc.constantFrom('in', 'not_in'),
    value: fc.array(scalar, { minLength: 1, maxLength: 10 }),
  }),
  fc.record({ op: fc.constantFrom('exists', 'not_exists') }),
);
const withCase = fc
  .record({ ci: fc.boolean(), c: comparison })
  .map(({ ci, c }) => (ci ? { ...c, caseInsensitive: true } : c));
/** Generated shapes are checked with checkCondition before use. */
const asCondition = (c: unknown) => c as Condition;
export const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .record({ trait: fc.constantFrom(...paths), c: withCase })
    .map(({ trait, c }) => asCondition({ type: 'trait', trait, ...c })),
  fc
    .record({ path: fc.constantFrom(...paths), c: withCase })
    .map(({ path, c }) => asCondition({ type: 'computed', path, ...c })),
  fc
    .record({
      field: fc.constantFrom('page.path', 'locale', 'device.type', 'location.country'),
      c: withCase,
    })
    .map(({ field, c }) => asCondition({ type: 'context', field, ...c })),
  fc
    .record({ segment: fc.constantFrom('vip', ...hostile), member: fc.boolean() })
    .map(({ segment, member }) => asCondition({ type: 'segment', segment, member })),
  fc.constant(asCondition({ type: 'stage', op: 'in', value: ['purchase', 'retention'] })),
);
export const tree: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc
      .record({
        type: fc.constantFrom('and' as const, 'or' as const),
        conditions: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
      })
      .map(asCondition),
    tie('node').map((condition) => asCondition({ type: 'not', condition })),
  ),
})).node;

const valueArb = fc.oneof(
  scalar,
  fc.constantFrom(undefined, null, Number.NaN, Infinity, ['pro', 'vip'], { b: 'pro' }),
);
const recordArb = fc.dictionary(fc.constantFrom(...paths), valueArb, { maxKeys: 6 });
export const inputArb = fc
  .record({
    traits: recordArb,
    computed: recordArb,
    context: fc.option(
      fc.record({
        page: fc.option(fc.record({ path: valueArb }), { nil: undefined }),
        locale: valueArb,
        device: fc.record({ type: valueArb }),
      }),
      { nil: undefined },
    ),
    members: fc.subarray(['vip', ...hostile]),
    stage: fc.constantFrom(null, 'purchase', 'awareness'),
  })
  .map(({ traits, computed, context, members, stage }): ConditionInput => ({
    now: Date.parse('2026-11-23T12:00:00Z'),
    traits,
    computed,
    trails: {},
    isMember: (id) => members.includes(id),
    stage,
    consent: () => null,
    ...(context === undefined ? {} : { context: context }),
  }));
