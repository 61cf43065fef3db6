import { describe, expect, it } from 'vitest';
import {
  compareValue,
  comparisonTester,
  pathReader,
  valueAt,
  type Comparison,
} from './compare-values.js';

// Found while writing the hostile-input fuzz test: `path in source` and plain indexing read
// Object.prototype, so `{"type":"trait","trait":"constructor","op":"exists"}` held for
// every profile.
describe('valueAt', () => {
  it('sees own keys only, at the top and along a dotted path', () => {
    const traits = { plan: 'pro', address: { city: 'Berlin' }, items: ['a'] };
    for (const path of [
      'constructor',
      'toString',
      '__proto__',
      'address.constructor',
      'plan.length',
    ])
      expect(valueAt(traits, path)).toBeUndefined();
    expect(valueAt(traits, 'address.city')).toBe('Berlin');
    expect(valueAt(traits, 'items.0')).toBe('a');
  });

  it('reads keys like __proto__ and constructor when they were sent as data', () => {
    const sent = JSON.parse('{"__proto__":{"x":1},"constructor":"c","a.b":2}') as Record<
      string,
      unknown
    >;
    expect(valueAt(sent, '__proto__.x')).toBe(1);
    expect(valueAt(sent, 'constructor')).toBe('c');
    expect(valueAt(sent, 'a.b')).toBe(2);
  });
});

describe('comparisonTester', () => {
  it('answers exactly as compareValue for every op, value and actual', () => {
    const actuals: unknown[] = [
      undefined,
      null,
      'pro',
      'PRO',
      'Pro plan',
      '',
      '42',
      ' 42 ',
      42,
      41.5,
      0,
      -3,
      true,
      false,
      ['pro', 'vip'],
      { a: 1 },
      '2026-11-01T00:00:00Z',
      Date.parse('2026-11-20T00:00:00Z'),
      Infinity,
      -Infinity,
      NaN,
    ];
    const values: unknown[] = ['pro', 'PRO', '42', 42, 0, 41.5, true, 'Pro', ''];
    const ops = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with'] as const;
    const comparisons: Comparison[] = [];
    for (const op of ops)
      for (const value of values)
        for (const caseInsensitive of [false, true])
          comparisons.push({ op, value, caseInsensitive });
    for (const op of ['in', 'not_in'] as const) {
      for (const value of [['pro', 'vip'], ['PRO'], ['42', 'x'], [42, 'pro'], [true]])
        for (const caseInsensitive of [false, true])
          comparisons.push({ op, value, caseInsensitive });
    }
    comparisons.push({ op: 'exists' }, { op: 'not_exists' }, { op: 'between', value: [0, 42] });
    comparisons.push({ op: 'within_last', value: { amount: 7, unit: 'days' } });
    const now = Date.parse('2026-11-23T00:00:00Z');
    let checked = 0;
    for (const c of comparisons) {
      const test = comparisonTester(c);
      for (const actual of actuals) {
        expect(test(actual, now), `${JSON.stringify(c)} on ${JSON.stringify(actual)}`).toBe(
          compareValue(actual, c, now),
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3000);
  });

  it('reads paths as valueAt does: the whole key first, then by dots, own keys only', () => {
    const source = { 'a.b': 1, a: { b: 2, c: { d: 3 } }, plain: 4 };
    for (const path of ['a.b', 'a.c.d', 'plain', 'a.x', 'constructor', 'a.constructor', 'x'])
      expect(pathReader(path)(source)).toBe(valueAt(source, path));
  });
});
