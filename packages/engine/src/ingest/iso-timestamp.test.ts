import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIsoTimestamp, parseIsoTimestamp } from './iso-timestamp.js';

describe('parseIsoTimestamp', () => {
  it.each([
    ['2026-11-23T10:15:30.123Z', Date.UTC(2026, 10, 23, 10, 15, 30, 123)],
    ['2026-11-23T10:15:30Z', Date.UTC(2026, 10, 23, 10, 15, 30)],
    ['2026-11-23T10:15Z', Date.UTC(2026, 10, 23, 10, 15)],
    ['2026-11-23', Date.UTC(2026, 10, 23)],
    ['2026-11-23T10:15:30+02:00', Date.UTC(2026, 10, 23, 8, 15, 30)],
    ['2026-11-23T10:15:30-0530', Date.UTC(2026, 10, 23, 15, 45, 30)],
    ['2026-11-23T10:15:30+01', Date.UTC(2026, 10, 23, 9, 15, 30)],
    ['2026-11-23T10:15:30.123456789Z', Date.UTC(2026, 10, 23, 10, 15, 30, 123)],
    ['2026-11-23T10:15:30', Date.UTC(2026, 10, 23, 10, 15, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('reads %s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  it.each([
    '',
    'yesterday',
    '11/23/2026',
    '2026-13-01T00:00:00Z',
    '2026-02-30',
    '2025-02-29',
    '2026-11-23T24:00:00Z',
    '2026-11-23T10:60:00Z',
    '2026-11-23T10:15:30+25:00',
    '1700000000000',
    '2026-11-23T10:15:30.Z',
  ])('rejects %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeNull();
  });

  it.each([
    '2026-13-23T10:15:30.123Z',
    '2026-02-29T10:15:30.123Z',
    '2026-11-23T25:15:30.123Z',
    '2026-11-23T10:15:3x.123Z',
    '2026-00-10T10:15:30.123Z',
  ])('rejects %j on the fast path too', (text) => {
    expect(parseIsoTimestamp(text)).toBeNull();
  });

  it('agrees with Date.parse on canonical timestamps (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(Date.UTC(1970, 0, 1)),
          max: new Date(Date.UTC(9999, 11, 31)),
          noInvalidDate: true,
        }),
        (date) => {
          const text = date.toISOString();
          expect(parseIsoTimestamp(text)).toBe(Date.parse(text));
        },
      ),
    );
  });

  it('round-trips with formatIsoTimestamp', () => {
    const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    expect(parseIsoTimestamp(formatIsoTimestamp(ms))).toBe(ms);
  });
});
