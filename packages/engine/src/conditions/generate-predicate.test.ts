import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCondition } from './check-condition.js';
import { compileCondition, type ConditionInput } from './compile-condition.js';
import { hostile, inputArb, tree } from './condition-arbitraries.fixture.js';
import type { Condition } from '@attune/contracts';

describe('generated predicates', () => {
  it('answer exactly as the closure tree, whatever the values in the condition', () => {
    fc.assert(
      fc.property(tree, fc.array(inputArb, { minLength: 1, maxLength: 8 }), (condition, inputs) => {
        if (checkCondition(condition, '', { allowContext: true }).length > 0) return;
        const generated = compileCondition(condition);
        const reference = compileCondition(condition, { generate: false });
        for (const input of inputs)
          expect(generated.evaluate(input)).toBe(reference.evaluate(input));
      }),
      { numRuns: 2000 },
    );
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });

  it('keeps hostile text a value: compared, never run', () => {
    const condition: Condition = {
      type: 'and',
      conditions: hostile.map((value, i) => ({
        type: 'trait',
        trait: hostile[(i + 1) % hostile.length] as string,
        op: 'eq',
        value,
      })),
    };
    const traits = Object.fromEntries(
      hostile.map((v, i) => [hostile[(i + 1) % hostile.length], v]),
    );
    const input: ConditionInput = {
      now: 0,
      traits,
      computed: {},
      trails: {},
      isMember: () => false,
      stage: null,
      consent: () => null,
    };
    expect(compileCondition(condition).evaluate(input)).toBe(true);
    expect(compileCondition(condition).evaluate({ ...input, traits: {} })).toBe(false);
    expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
  });
});
