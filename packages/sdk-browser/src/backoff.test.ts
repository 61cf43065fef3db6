import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterMs } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base to the cap, between half and all of each step', () => {
    const low = [0, 1, 2, 3, 10].map((a) => backoffDelay(a, () => 0));
    const high = [0, 1, 2, 3, 10].map((a) => backoffDelay(a, () => 1));
    expect(low).toEqual([250, 500, 1000, 2000, 15_000]);
    expect(high).toEqual([500, 1000, 2000, 4000, 30_000]);
    expect(backoffDelay(1000, () => 1)).toBe(30_000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-23T10:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Mon, 23 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 23 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('ignores a missing or unreadable header', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
