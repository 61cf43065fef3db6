import { describe, expect, it } from 'vitest';
import type { ProfileData } from './profile.store.js';
import { VisitorCache, type VisitorIdType } from './visitor-cache.js';

const profile = (id: string) => ({ id }) as ProfileData;

/** A lookup over a fixed map of `type:value` → profile id, counting its calls. */
function lookupOf(owners: Record<string, string>) {
  const calls: string[] = [];
  const lookup = (type: VisitorIdType, value: string) => {
    calls.push(`${type}:${value}`);
    const id = owners[`${type}:${value}`];
    return id === undefined ? undefined : profile(id);
  };
  return { calls, lookup };
}

describe('VisitorCache', () => {
  it('reads a found profile once; an unknown visitor id every time', () => {
    const cache = new VisitorCache(10);
    const { calls, lookup } = lookupOf({ 'user_id:ann': 'p1' });
    expect(cache.find('user_id', 'ann', lookup)?.id).toBe('p1');
    expect(cache.find('user_id', 'ann', lookup)?.id).toBe('p1');
    expect(cache.find('anonymous_id', 'x', lookup)).toBeUndefined();
    expect(cache.find('anonymous_id', 'x', lookup)).toBeUndefined();
    expect(calls).toEqual(['user_id:ann', 'anonymous_id:x', 'anonymous_id:x']);
    expect([cache.hits, cache.misses]).toEqual([1, 3]);
  });

  it('keeps the id types apart', () => {
    const cache = new VisitorCache(10);
    const { lookup } = lookupOf({ 'user_id:same': 'p1', 'anonymous_id:same': 'p2' });
    expect(cache.find('user_id', 'same', lookup)?.id).toBe('p1');
    expect(cache.find('anonymous_id', 'same', lookup)?.id).toBe('p2');
  });

  it('forgets a profile under every visitor id that led to it', () => {
    const cache = new VisitorCache(10);
    const owners = { 'user_id:ann': 'p1', 'anonymous_id:a1': 'p1', 'user_id:bob': 'p2' };
    const { calls, lookup } = lookupOf(owners);
    for (const [type, value] of [
      ['user_id', 'ann'],
      ['anonymous_id', 'a1'],
      ['user_id', 'bob'],
    ] as const)
      cache.find(type, value, lookup);
    cache.forget(['p1', 'not-cached']);
    calls.length = 0;
    cache.find('user_id', 'ann', lookup);
    cache.find('anonymous_id', 'a1', lookup);
    cache.find('user_id', 'bob', lookup);
    expect(calls).toEqual(['user_id:ann', 'anonymous_id:a1']);
  });

  it('answers the profile read last when an id moves to another profile', () => {
    const cache = new VisitorCache(10);
    const owners: Record<string, string> = { 'anonymous_id:a1': 'p1' };
    const { lookup } = lookupOf(owners);
    expect(cache.find('anonymous_id', 'a1', lookup)?.id).toBe('p1');
    // Merged away: the processor reports both profiles.
    owners['anonymous_id:a1'] = 'p2';
    cache.forget(['p1', 'p2']);
    expect(cache.find('anonymous_id', 'a1', lookup)?.id).toBe('p2');
  });

  it('holds at most its capacity, keeping the recently used', () => {
    const cache = new VisitorCache(4);
    const owners = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`user_id:u${i}`, `p${i}`]),
    );
    const { calls, lookup } = lookupOf(owners);
    for (let i = 0; i < 20; i++) {
      cache.find('user_id', `u${i}`, lookup);
      cache.find('user_id', 'u0', lookup);
      expect(cache.size).toBeLessThanOrEqual(4);
    }
    // u0 was used all along: read once only.
    expect(calls.filter((c) => c === 'user_id:u0')).toHaveLength(1);
    calls.length = 0;
    cache.find('user_id', 'u1', lookup);
    expect(calls).toEqual(['user_id:u1']);
  });

  it('refuses a capacity below 2', () => {
    expect(() => new VisitorCache(1)).toThrow(RangeError);
  });
});
