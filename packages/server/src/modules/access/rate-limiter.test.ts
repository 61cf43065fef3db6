import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows the burst, then asks to wait whole seconds until a token is back', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, clock);
    expect([limiter.take('k'), limiter.take('k')]).toEqual([0, 0]);
    expect(limiter.take('k')).toBe(1);
    clock.advance(999);
    expect(limiter.take('k')).toBe(1); // 0.999 tokens: still under one
    clock.advance(1);
    expect(limiter.take('k')).toBe(0);
  });

  it('rounds the wait up for slow rates', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock);
    limiter.take('k');
    clock.advance(200);
    expect(limiter.take('k')).toBe(1);
    const slow = new RateLimiter({ perSecond: 0.1, burst: 1 }, clock);
    slow.take('k');
    expect(slow.take('k')).toBe(10);
  });

  it('keeps one bucket per key and is off at 0 requests/s', () => {
    const clock = new ManualClock(0);
    const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, clock);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('b')).toBe(0);
    const off = new RateLimiter({ perSecond: 0, burst: 1 }, clock);
    for (let i = 0; i < 100; i++) expect(off.take('a')).toBe(0);
  });
});
