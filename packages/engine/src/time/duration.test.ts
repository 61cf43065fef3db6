import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['24h', 86_400_000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1500ms', 1500],
    ['2w', 1_209_600_000],
    ['250', 250],
    [' 3 h ', 10_800_000],
  ])('reads %j', (text, expected) => expect(parseDuration(text)).toBe(expected));

  it.each(['', '-1d', '1.5h', '7 days', 'd', '1y'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );
});
