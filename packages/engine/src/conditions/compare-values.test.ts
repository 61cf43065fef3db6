import { describe, expect, it } from 'vitest';
import { valueAt } from './compare-values.js';

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
