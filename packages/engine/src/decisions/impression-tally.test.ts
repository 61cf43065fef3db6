import { describe, expect, it } from 'vitest';
import { ImpressionTally } from './impression-tally.js';

const hour = 3_600_000;

describe('ImpressionTally', () => {
  it('counts the impressions within the window before now', () => {
    const tally = new ImpressionTally();
    for (const at of [0, 1, 2].map((h) => h * hour)) tally.record(['a:1'], 'hero', at, 10);
    expect(tally.count(['a:1'], 'hero', 3 * hour, 2 * hour)).toBe(3);
    expect(tally.count(['a:1'], 'hero', 2 * hour, 2 * hour)).toBe(2);
    expect(tally.count(['a:1'], 'hero', 3 * hour, 4 * hour)).toBe(1);
    expect(tally.count(['a:1'], 'other', 3 * hour, 2 * hour)).toBe(0);
    expect(tally.count(['a:2'], 'hero', 3 * hour, 2 * hour)).toBe(0);
  });

  it('keeps only the latest `keep` times, in order whatever the arrival order', () => {
    const tally = new ImpressionTally();
    for (const at of [5, 1, 4, 2, 3]) tally.record(['v'], 'c', at * hour, 3);
    // Kept: 3, 4, 5.
    expect(tally.count(['v'], 'c', 10 * hour, 5 * hour)).toBe(3);
    expect(tally.count(['v'], 'c', 1.5 * hour, 5 * hour)).toBe(2);
    // 1 and 2 were dropped: a window reaching back to them still counts 3.
    expect(tally.count(['v'], 'c', 10 * hour, 5 * hour)).toBe(3);
  });

  it('counts a visitor known by several ids as the most under any of them', () => {
    const tally = new ImpressionTally();
    tally.record(['a:anon'], 'hero', 1, 10);
    tally.record(['a:anon', 'u:ann'], 'hero', 2, 10);
    tally.record(['u:ann'], 'hero', 3, 10);
    expect(tally.count(['a:anon', 'u:ann'], 'hero', hour, 3)).toBe(2);
    expect(tally.count(['a:anon'], 'hero', hour, 3)).toBe(2);
  });

  it('counts times after now (a clock ahead) as within', () => {
    const tally = new ImpressionTally();
    tally.record(['v'], 'c', 10 * hour, 5);
    expect(tally.count(['v'], 'c', hour, 5 * hour)).toBe(1);
  });

  it('sweeps counters whose newest time is too old', () => {
    const tally = new ImpressionTally();
    tally.record(['old'], 'c', 1, 5);
    tally.record(['new'], 'c', 10, 5);
    tally.sweep(5);
    expect(tally.size).toBe(1);
    expect(tally.count(['new'], 'c', 100, 10)).toBe(1);
  });

  it('forgets every counter of the visitor keys given, and only theirs', () => {
    const tally = new ImpressionTally();
    tally.record(['u:gone', 'a:gone-device'], 'hero', 1, 5);
    tally.record(['u:gone'], 'hero/sale', 2, 5);
    tally.record(['u:kept'], 'hero', 3, 5);
    expect(tally.size).toBe(4);
    expect(tally.forget(['u:gone', 'a:gone-device', 'u:never-seen'])).toBe(3);
    expect(tally.size).toBe(1);
    expect(tally.count(['u:gone', 'a:gone-device'], 'hero', 100, 10)).toBe(0);
    expect(tally.count(['u:kept'], 'hero', 100, 10)).toBe(1);
    tally.sweep(5);
    expect(tally.size).toBe(0);
  });
});
