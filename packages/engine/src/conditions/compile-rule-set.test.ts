import type { Condition } from '@attune/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCondition } from './check-condition.js';
import { compileCondition, type ConditionInput } from './compile-condition.js';
import { inputArb, leaf } from './condition-arbitraries.fixture.js';
import { compileRuleSet } from './compile-rule-set.js';

const orderCount: Condition = {
  type: 'event',
  event: 'Order Completed',
  count: { op: 'at_least', value: 2 },
};

/** Trees over a small pool of leaves, so conditions share leaves as real rules do. */
const treeOver = (pool: readonly Condition[]): fc.Arbitrary<Condition> =>
  fc.letrec<{ node: Condition }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...pool),
      fc
        .record({
          type: fc.constantFrom('and' as const, 'or' as const),
          conditions: fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
        })
        .map((c) => c as Condition),
      tie('node').map((condition): Condition => ({ type: 'not', condition })),
    ),
  })).node;

const ruleSets = fc
  .array(leaf, { minLength: 1, maxLength: 6 })
  .map((pool) => [...pool, orderCount])
  .chain((pool) => fc.array(treeOver(pool), { minLength: 1, maxLength: 150 }))
  .map((conditions) =>
    // Only checked conditions are compiled; a failing one is swapped for a valid leaf.
    conditions.map((c) =>
      checkCondition(c, '', { allowContext: true }).length === 0 ? c : orderCount,
    ),
  );

const input = (members: string[], trails: ConditionInput['trails'] = {}): ConditionInput => ({
  now: Date.parse('2026-11-23T12:00:00Z'),
  traits: { plan: 'pro' },
  computed: {},
  trails,
  isMember: (id) => members.includes(id),
  stage: null,
  consent: () => null,
  context: { page: { path: '/outdoor' } },
});

describe('compileRuleSet', () => {
  it('answers as each condition alone: how many hold, and the first from any index', () => {
    fc.assert(
      fc.property(ruleSets, fc.array(inputArb, { minLength: 1, maxLength: 4 }), (set, inputs) => {
        const compiled = compileRuleSet(set);
        const reference = set.map((c) => compileCondition(c, { generate: false }));
        for (const i of inputs) {
          const expected = reference.map((r) => r.evaluate(i));
          expect(compiled.against(i).countHolding()).toBe(expected.filter(Boolean).length);
          // One evaluation answers every question: its remembered leaves stay right.
          const run = compiled.against(i);
          for (let from = 0; from <= set.length; from++) {
            const first = expected.indexOf(true, from);
            expect(run.firstHolding(from)).toBe(first);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('evaluates a leaf that several conditions share once per input', () => {
    const vip: Condition = { type: 'segment', segment: 'vip' };
    const set = compileRuleSet([
      { type: 'and', conditions: [vip, { type: 'trait', trait: 'plan', op: 'eq', value: 'x' }] },
      { type: 'not', condition: vip },
      { type: 'or', conditions: [{ type: 'segment', segment: 'vip' }, vip] },
    ]);
    const asked: string[] = [];
    const i = { ...input(['vip']), isMember: (id: string) => (asked.push(id), id === 'vip') };
    const run = set.against(i);
    expect(run.firstHolding(0)).toBe(2);
    expect(run.countHolding()).toBe(1);
    expect(asked).toEqual(['vip']);
    // A new evaluation asks again: nothing is remembered between inputs.
    expect(set.against(i).countHolding()).toBe(1);
    expect(asked).toEqual(['vip', 'vip']);
  });

  it('evaluates only the leaves the answer needs', () => {
    const set = compileRuleSet([
      { type: 'segment', segment: 'a' },
      { type: 'segment', segment: 'b' },
      { type: 'segment', segment: 'c' },
    ]);
    const asked: string[] = [];
    const i = { ...input([]), isMember: (id: string) => (asked.push(id), id === 'b') };
    expect(set.against(i).firstHolding(0)).toBe(1);
    expect(asked).toEqual(['a', 'b']);
  });

  it('finds holding conditions across its generated chunks (hundreds of rules and leaves)', () => {
    const conditions: Condition[] = Array.from({ length: 300 }, (_, n) => ({
      type: 'segment',
      segment: `s${n % 100}`,
    }));
    const set = compileRuleSet(conditions);
    const run = set.against(input(['s3', 's70']));
    const expected = conditions.flatMap((_, n) => (n % 100 === 3 || n % 100 === 70 ? [n] : []));
    expect(run.countHolding()).toBe(expected.length);
    for (const from of [0, 4, 63, 64, 65, 127, 128, 200, 296, 297, 300])
      expect(run.firstHolding(from)).toBe(expected.find((n) => n >= from) ?? -1);
  });

  it('evaluates event-trail leaves through their own closures', () => {
    const set = compileRuleSet([orderCount, { type: 'not', condition: orderCount }]);
    const trailKey = compileCondition(orderCount).trails[0]?.key as string;
    const twice = { [trailKey]: { count: 2, first: 1, last: 2, recent: [] } };
    expect(set.against(input([], twice)).firstHolding(0)).toBe(0);
    expect(set.against(input([])).firstHolding(0)).toBe(1);
  });

  it('is empty without conditions', () => {
    const set = compileRuleSet([]);
    expect(set.size).toBe(0);
    expect(set.against(input([])).firstHolding(0)).toBe(-1);
    expect(set.against(input([])).countHolding()).toBe(0);
  });
});
