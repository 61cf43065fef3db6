import { describe, expect, it } from 'vitest';
import { RecencyCache } from './recency-cache.js';

describe('RecencyCache', () => {
  it('never holds more than its capacity', () => {
    const cache = new RecencyCache<number, number>(10);
    for (let i = 0; i < 1000; i++) {
      cache.set(i, i);
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    expect(cache.get(999)).toBe(999);
    expect(cache.get(0)).toBeUndefined();
  });

  it('keeps an entry that is used while older unused ones are forgotten', () => {
    const cache = new RecencyCache<string, number>(4);
    cache.set('hot', 1);
    for (let i = 0; i < 20; i++) {
      cache.set(`cold${i}`, i);
      expect(cache.get('hot')).toBe(1);
    }
    expect(cache.get('cold0')).toBeUndefined();
  });

  it('peek does not keep an entry alive; set replaces; delete removes from both generations', () => {
    const cache = new RecencyCache<string, number>(4);
    cache.set('a', 1);
    cache.set('b', 2); // generation of 2 is full: a and b are now old
    expect(cache.peek('a')).toBe(1);
    cache.set('a', 10);
    expect(cache.get('a')).toBe(10);
    expect(cache.delete('b')).toBe(true);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.delete('b')).toBe(false);
    cache.set('c', 3);
    cache.set('d', 4);
    cache.set('e', 5);
    cache.set('f', 6);
    expect(cache.peek('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => new RecencyCache(1)).toThrow(RangeError);
  });

  it('lists every entry held, in both generations, without reordering them', () => {
    const cache = new RecencyCache<string, number>(6);
    for (const [key, value] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
    ] as const)
      cache.set(key, value);
    expect(new Map(cache.entries())).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
        ['d', 4],
      ]),
    );
    // Listing did not make `a` recent: the next generation change drops it.
    cache.set('e', 5);
    cache.set('f', 6);
    cache.set('g', 7);
    expect(cache.peek('a')).toBeUndefined();
  });
});
