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
});
