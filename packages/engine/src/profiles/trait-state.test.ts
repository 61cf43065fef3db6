import { describe, expect, it } from 'vitest';
import { applyTraits, emptyTraits, mergeTraits } from './trait-state.js';

describe('trait state', () => {
  it('keeps the newest value by event time, not by arrival', () => {
    const state = emptyTraits();
    applyTraits(state, { plan: 'pro', city: 'Berlin' }, 200);
    const changed = applyTraits(state, { plan: 'free', name: 'Ann' }, 100); // an old identify, late
    expect(state.values).toEqual({ plan: 'pro', city: 'Berlin', name: 'Ann' });
    expect(changed).toEqual(['name']);
  });

  it('lets the later of two equal times win', () => {
    const state = emptyTraits();
    applyTraits(state, { plan: 'a' }, 100);
    applyTraits(state, { plan: 'b' }, 100);
    expect(state.values['plan']).toBe('b');
  });

  it('merges trait by trait, newest wins', () => {
    const survivor = emptyTraits();
    applyTraits(survivor, { plan: 'pro', city: 'Berlin' }, 100);
    const merged = emptyTraits();
    applyTraits(merged, { plan: 'enterprise', phone: '+1' }, 300);
    applyTraits(merged, { city: 'Paris' }, 50);
    mergeTraits(survivor, merged);
    expect(survivor.values).toEqual({ plan: 'enterprise', city: 'Berlin', phone: '+1' });
  });

  // Found by the hostile-input fuzz test: traits.__proto__ became the values' prototype, so
  // its keys looked like traits of the profile (a segment on them took the profile in).
  it('keeps keys like __proto__ and constructor as plain traits', () => {
    const sent = JSON.parse(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":1}}',
    ) as Record<string, unknown>;
    const state = emptyTraits();
    expect(applyTraits(state, sent, 100)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(state.values)).toBe(Object.prototype);
    expect('polluted' in state.values).toBe(false);
    expect(JSON.parse(JSON.stringify(state.values))).toEqual(sent);
    const survivor = emptyTraits();
    mergeTraits(survivor, state);
    expect(Object.getPrototypeOf(survivor.values)).toBe(Object.prototype);
    expect(Object.hasOwn(survivor.values, '__proto__')).toBe(true);
  });

  it('does not take inherited names for existing traits', () => {
    const state = emptyTraits();
    expect(applyTraits(state, { toString: 'x', valueOf: 1 }, 100)).toEqual(['toString', 'valueOf']);
  });
});
