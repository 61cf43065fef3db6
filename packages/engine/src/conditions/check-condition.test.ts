import { describe, expect, it } from 'vitest';
import { assertCondition, checkCondition, conditionLimits } from './check-condition.js';
import { compareValue } from './compare-values.js';

describe('checkCondition', () => {
  it('accepts a well-formed tree', () => {
    expect(
      checkCondition({
        type: 'or',
        conditions: [
          { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' },
          {
            type: 'and',
            conditions: [
              { type: 'event', event: 'Order Completed', count: { op: 'at_least', value: 2 } },
              { type: 'not', condition: { type: 'segment', segment: 'churned' } },
            ],
          },
        ],
      }),
    ).toEqual([]);
  });

  it('names the path of the offending node', () => {
    const tree = {
      type: 'and',
      conditions: [
        { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' },
        {
          type: 'or',
          conditions: [
            { type: 'event', event: 'Viewed', window: { last: { amount: 0, unit: 'days' } } },
          ],
        },
      ],
    };
    const [issue] = checkCondition(tree);
    expect(issue?.path).toBe('/conditions/1/conditions/0/window/last/amount');
  });

  it.each([
    [{ type: 'trit' }, '/type', /unknown condition type "trit"/],
    [{ type: 'trait', op: 'eq', value: 1 }, '/trait', /required/i],
    [{ type: 'trait', trait: 'age', op: 'between', value: [40, 18] }, '/value', /low <= high/],
    [{ type: 'trait', trait: 'age', op: 'between', value: 3 }, '/value', /\[low, high\]/],
    [{ type: 'trait', trait: 'plan', op: 'in', value: [] }, '/value', /non-empty array/],
    [{ type: 'trait', trait: 'plan', op: 'exists', value: 1 }, '/value', /takes no value/],
    [{ type: 'trait', trait: 'd', op: 'before', value: 'soon' }, '/value', /ISO-8601/],
    [{ type: 'trait', trait: 'd', op: 'within_last', value: 7 }, '/value', /duration/],
    [
      { type: 'event', event: 'X', window: { from: '2026-02-01', to: '2026-01-01' } },
      '/window',
      /before `to`/,
    ],
    [
      { type: 'event', event: 'X', where: [{ property: 'price', op: 'gt', value: [1] }] },
      '/where/0/value',
      /needs a string, number or boolean/,
    ],
    [{ type: 'and', conditions: [] }, '/conditions', /non-empty array/],
    [{ type: 'not', condition: 'x' }, '/condition', /must be an object/],
    [{ type: 'segment', segment: 'vip', extra: true }, '/extra', /.+/],
  ])('reports %j at %s', (tree, path, message) => {
    const issues = checkCondition(tree, '');
    expect(issues[0]?.path).toBe(path);
    expect(issues[0]?.message).toMatch(message);
  });

  it('limits depth and size', () => {
    let deep: unknown = { type: 'segment', segment: 'a' };
    for (let i = 0; i < conditionLimits.depth + 1; i++) deep = { type: 'not', condition: deep };
    expect(checkCondition(deep)[0]?.message).toMatch(/nest at most/);
    const wide = {
      type: 'or',
      conditions: Array.from({ length: 5 }, () => ({
        type: 'or',
        conditions: Array.from({ length: 100 }, () => ({ type: 'segment', segment: 'a' })),
      })),
    };
    expect(checkCondition(wide)[0]?.message).toMatch(/at most 500 nodes/);
  });

  it('prefixes paths with the root given, and assertCondition throws the first issue', () => {
    expect(checkCondition({ type: 'x' }, '/definition/condition')[0]?.path).toBe(
      '/definition/condition/type',
    );
    expect(() => assertCondition({ type: 'x' })).toThrow(/invalid condition at \/type/);
  });
});

describe('compareValue', () => {
  const now = Date.UTC(2026, 10, 23);
  it.each([
    ['eq', 'Pro', 'pro', true, true],
    ['eq', 'Pro', 'pro', false, false],
    ['eq', '42', 42, false, true],
    ['neq', undefined, 'pro', false, true],
    ['gt', 10, 9, false, true],
    ['gt', '10', 9, false, true],
    ['gt', 'b', 'a', false, true],
    ['gt', 'b', 1, false, false],
    ['lte', 3, 3, false, true],
    ['contains', ['red', 'Blue'], 'blue', true, true],
    ['contains', 'Hello World', 'o w', true, true],
    ['starts_with', 'Berlin', 'ber', false, false],
    ['exists', null, undefined, false, false],
    ['not_exists', undefined, undefined, false, true],
    ['gt', undefined, 1, false, false],
    ['before', '2026-01-01', '2026-06-01T00:00:00Z', false, true],
    ['after', now, '2026-06-01', false, true],
  ] as const)('%s(%j, %j, ci=%s) is %s', (op, actual, value, caseInsensitive, expected) => {
    expect(compareValue(actual, { op, value, caseInsensitive }, now)).toBe(expected);
  });

  it('between is inclusive; in uses the same equality as eq', () => {
    expect(compareValue(18, { op: 'between', value: [18, 30] }, now)).toBe(true);
    expect(compareValue(31, { op: 'between', value: [18, 30] }, now)).toBe(false);
    expect(compareValue('7', { op: 'in', value: [7, 8] }, now)).toBe(true);
    expect(compareValue(undefined, { op: 'not_in', value: ['a'] }, now)).toBe(true);
  });
});
