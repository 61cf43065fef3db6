import { describe, expect, it } from 'vitest';
import { holdoutBucket, inHoldout } from './holdout.js';

describe('holdout', () => {
  it('is deterministic per key', () => {
    expect(holdoutBucket('user-42')).toBe(holdoutBucket('user-42'));
    expect(inHoldout('user-42', 10)).toBe(inHoldout('user-42', 10));
  });

  it('holds out about the given share of keys, and a larger share contains a smaller', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const five = keys.filter((k) => inHoldout(k, 5));
    // Binomial(100k, 0.05): standard deviation about 69; 5 of them either side.
    expect(Math.abs(five.length - 5000)).toBeLessThan(345);
    const twenty = new Set(keys.filter((k) => inHoldout(k, 20)));
    expect(Math.abs(twenty.size - 20_000)).toBeLessThan(630);
    expect(five.every((k) => twenty.has(k))).toBe(true);
  });

  it('holds out nobody at 0 % and everybody at 100 %', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `anon-${i}`);
    expect(keys.some((k) => inHoldout(k, 0))).toBe(false);
    expect(keys.every((k) => inHoldout(k, 100))).toBe(true);
  });
});
