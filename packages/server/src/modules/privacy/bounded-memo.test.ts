import { describe, expect, it } from 'vitest';
import { BoundedMemo } from './bounded-memo.js';

describe('BoundedMemo', () => {
  it('keeps at most two generations and keeps entries that are still used', () => {
    const memo = new BoundedMemo<number>(2);
    memo.set('a', 1);
    memo.set('b', 2);
    memo.set('c', 3); // a and b become the old generation
    expect(memo.get('a')).toBe(1); // moved back to the young one (c, a)
    memo.set('d', 4); // young (c, a) becomes old; b is forgotten
    expect(memo.get('b')).toBeUndefined();
    expect(memo.get('a')).toBe(1);
    expect(memo.get('c')).toBe(3);
    expect(memo.get('d')).toBe(4);
  });

  it('returns the value it sets', () => {
    expect(new BoundedMemo<string>(1).set('k', 'v')).toBe('v');
  });
});
