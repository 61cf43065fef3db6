import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidTimeZone,
  localMinutesOfDay,
  nextLocalTime,
  parseTimeOfDay,
  quietHoursEnd,
  type QuietHours,
} from './local-time.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string): number => Date.parse(iso);
const hm = (text: string): number => parseTimeOfDay(text)!;

// The oracle reads the wall clock through a separate, plain formatter (format, not parts).
const plainFormatters = new Map<string, Intl.DateTimeFormat>();

/** Wall clock of an instant in a zone, to the minute, as UTC ms ('sv-SE' prints ISO-like). */
function wallAt(instant: number, zone: string): number {
  let formatter = plainFormatters.get(zone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    plainFormatters.set(zone, formatter);
  }
  const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d)/.exec(formatter.format(instant))!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
}

const minuteOfDay = (wall: number): number => (wall % DAY) / MINUTE;

/**
 * Scans minute by minute for the first instant after `after` whose wall clock reads `minutes`,
 * or at which the clock has just jumped over that wall time (a spring-forward gap).
 */
function scanNext(after: number, minutes: number, zone: string): number {
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  let previous = wallAt(t - MINUTE, zone);
  for (let step = 0; step < 3 * 1440; step++, t += MINUTE) {
    const wall = wallAt(t, zone);
    if (minuteOfDay(wall) === minutes) return t;
    const skipped = [previous, wall].some((w) => {
      const target = Math.floor(w / DAY) * DAY + minutes * MINUTE;
      return target > previous && target < wall;
    });
    if (skipped) return t;
    previous = wall;
  }
  throw new Error('scan found nothing');
}

function scanQuietEnd(instant: number, { from, to }: QuietHours, zone: string): number | null {
  const local = minuteOfDay(wallAt(instant, zone));
  const inside = from < to ? from <= local && local < to : local >= from || local < to;
  return from !== to && inside ? scanNext(instant, to, zone) : null;
}

// UTC instants of every offset change in 2025–2027 for the zones that have them.
const transitions: Record<string, string[]> = {
  UTC: [],
  'Asia/Kolkata': [],
  'Europe/Berlin': [
    '2025-03-30T01:00',
    '2025-10-26T01:00',
    '2026-03-29T01:00',
    '2026-10-25T01:00',
    '2027-03-28T01:00',
    '2027-10-31T01:00',
  ],
  'America/New_York': [
    '2025-03-09T07:00',
    '2025-11-02T06:00',
    '2026-03-08T07:00',
    '2026-11-01T06:00',
    '2027-03-14T07:00',
    '2027-11-07T06:00',
  ],
  'Pacific/Chatham': [
    '2025-04-05T14:00',
    '2025-09-27T14:00',
    '2026-04-04T14:00',
    '2026-09-26T14:00',
    '2027-04-03T14:00',
    '2027-09-25T14:00',
  ],
  // Chile changes its clocks at midnight, so wall times of the previous day repeat.
  'America/Santiago': [
    '2025-04-06T03:00',
    '2025-09-07T04:00',
    '2026-04-05T03:00',
    '2026-09-06T04:00',
    '2027-04-04T03:00',
    '2027-09-05T04:00',
  ],
  // Lord Howe shifts by 30 minutes.
  'Australia/Lord_Howe': [
    '2025-04-05T15:00',
    '2025-10-04T15:30',
    '2026-04-04T15:00',
    '2026-10-03T15:30',
    '2027-04-03T15:00',
    '2027-10-02T15:30',
  ],
};

/** A zone and an instant in 2025–2027, half of the time within 36 h of one of its transitions. */
const zoneAndInstant = fc.constantFrom(...Object.keys(transitions)).chain((zone) => {
  const anywhere = fc.integer({ min: at('2025-01-01T00:00Z'), max: at('2027-12-31T00:00Z') });
  const changes = transitions[zone]!.map((iso) => at(`${iso}Z`));
  if (changes.length === 0) return fc.tuple(fc.constant(zone), anywhere);
  const nearChange = fc
    .tuple(fc.constantFrom(...changes), fc.integer({ min: -36 * HOUR, max: 36 * HOUR }))
    .map(([change, delta]) => change + delta);
  return fc.tuple(fc.constant(zone), fc.oneof(anywhere, nearChange));
});

// Most transitions happen in the small hours, Chile's just before midnight.
const timeOfDay = fc.oneof(
  fc.integer({ min: 0, max: 1439 }),
  fc.integer({ min: 0, max: 240 }),
  fc.integer({ min: 1380, max: 1439 }),
);

const options = { numRuns: 200, endOnFailure: true };

function nextAgreesWithScan(next: typeof nextLocalTime) {
  return fc.property(zoneAndInstant, timeOfDay, ([zone, after], minutes) => {
    expect(next(after, minutes, zone)).toBe(scanNext(after, minutes, zone));
  });
}

function quietEndAgreesWithScan(quietEnd: typeof quietHoursEnd) {
  return fc.property(zoneAndInstant, timeOfDay, timeOfDay, ([zone, instant], from, to) => {
    const quiet = { from, to };
    expect(quietEnd(instant, quiet, zone)).toBe(scanQuietEnd(instant, quiet, zone));
  });
}

describe('parseTimeOfDay', () => {
  it('reads HH:MM as minutes after midnight', () => {
    expect(parseTimeOfDay('00:00')).toBe(0);
    expect(parseTimeOfDay('09:00')).toBe(540);
    expect(parseTimeOfDay('21:30')).toBe(1290);
    expect(parseTimeOfDay('23:59')).toBe(1439);
  });

  it('answers null for anything else', () => {
    for (const text of [
      '24:00',
      '9:00',
      '09:60',
      '0900',
      ' 09:00',
      '09:00 ',
      '09:00:00',
      '',
      'ab:cd',
    ]) {
      expect(parseTimeOfDay(text)).toBeNull();
    }
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones and rejects others', () => {
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Pacific/Chatham')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('Europe/Berlinn')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('localMinutesOfDay', () => {
  it('applies the zone offset, including DST and non-hour offsets', () => {
    expect(localMinutesOfDay(at('2026-01-15T10:20:30Z'), 'UTC')).toBe(hm('10:20'));
    expect(localMinutesOfDay(at('2026-01-15T10:20Z'), 'Europe/Berlin')).toBe(hm('11:20'));
    expect(localMinutesOfDay(at('2026-07-15T10:20Z'), 'Europe/Berlin')).toBe(hm('12:20'));
    expect(localMinutesOfDay(at('2026-01-15T10:20Z'), 'Asia/Kolkata')).toBe(hm('15:50'));
    expect(localMinutesOfDay(at('2026-07-15T10:20Z'), 'Pacific/Chatham')).toBe(hm('23:05'));
    expect(localMinutesOfDay(at('2026-01-15T03:00Z'), 'America/New_York')).toBe(hm('22:00'));
  });

  it('handles instants before 1970', () => {
    expect(localMinutesOfDay(at('1969-12-31T23:59:30Z'), 'UTC')).toBe(1439);
  });

  it('throws on an unknown zone', () => {
    expect(() => localMinutesOfDay(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('nextLocalTime', () => {
  it('finds the wall time later today or tomorrow, strictly after', () => {
    expect(nextLocalTime(at('2026-01-15T08:00Z'), hm('09:00'), 'UTC')).toBe(
      at('2026-01-15T09:00Z'),
    );
    expect(nextLocalTime(at('2026-01-15T09:00Z'), hm('09:00'), 'UTC')).toBe(
      at('2026-01-16T09:00Z'),
    );
    expect(nextLocalTime(at('2026-01-15T08:59:59.999Z'), hm('09:00'), 'UTC')).toBe(
      at('2026-01-15T09:00Z'),
    );
  });

  it('uses the offset of the zone', () => {
    expect(nextLocalTime(at('2026-01-15T07:00Z'), hm('09:00'), 'Europe/Berlin')).toBe(
      at('2026-01-15T08:00Z'),
    );
    expect(nextLocalTime(at('2026-07-15T07:00Z'), hm('09:00'), 'Europe/Berlin')).toBe(
      at('2026-07-16T07:00Z'),
    );
    expect(nextLocalTime(at('2026-01-15T00:00Z'), hm('09:00'), 'Asia/Kolkata')).toBe(
      at('2026-01-15T03:30Z'),
    );
    // 00:00Z is 13:45 local (+13:45 in January), so 09:00 local is the next local day.
    expect(nextLocalTime(at('2026-01-15T00:00Z'), hm('09:00'), 'Pacific/Chatham')).toBe(
      at('2026-01-15T19:15Z'),
    );
    expect(nextLocalTime(at('2026-01-16T02:00Z'), hm('22:00'), 'America/New_York')).toBe(
      at('2026-01-16T03:00Z'),
    );
  });

  it('on a spring-forward day maps a missing wall time to the end of the gap', () => {
    const before = at('2026-03-29T00:00Z'); // 01:00 CET; at 01:00Z Berlin jumps 02:00 → 03:00
    expect(nextLocalTime(before, hm('02:00'), 'Europe/Berlin')).toBe(at('2026-03-29T01:00Z'));
    expect(nextLocalTime(before, hm('02:30'), 'Europe/Berlin')).toBe(at('2026-03-29T01:00Z'));
    expect(nextLocalTime(before, hm('03:00'), 'Europe/Berlin')).toBe(at('2026-03-29T01:00Z'));
    expect(nextLocalTime(before, hm('03:30'), 'Europe/Berlin')).toBe(at('2026-03-29T01:30Z'));
    expect(nextLocalTime(before, hm('01:30'), 'Europe/Berlin')).toBe(at('2026-03-29T00:30Z'));
    expect(nextLocalTime(at('2026-03-28T12:00Z'), hm('09:00'), 'Europe/Berlin')).toBe(
      at('2026-03-29T07:00Z'),
    );
    // Once the gap is over, the next 02:30 is tomorrow's.
    expect(nextLocalTime(at('2026-03-29T01:00Z'), hm('02:30'), 'Europe/Berlin')).toBe(
      at('2026-03-30T00:30Z'),
    );
    // New York jumps 02:00 EST → 03:00 EDT at 07:00Z.
    expect(nextLocalTime(at('2026-03-08T05:00Z'), hm('02:15'), 'America/New_York')).toBe(
      at('2026-03-08T07:00Z'),
    );
  });

  it('on a fall-back day takes the first occurrence still ahead', () => {
    // At 01:00Z Berlin goes back from 03:00 CEST to 02:00 CET, so 02:00–02:59 occur twice.
    expect(nextLocalTime(at('2026-10-24T23:00Z'), hm('02:30'), 'Europe/Berlin')).toBe(
      at('2026-10-25T00:30Z'),
    );
    expect(nextLocalTime(at('2026-10-25T00:45Z'), hm('02:30'), 'Europe/Berlin')).toBe(
      at('2026-10-25T01:30Z'),
    );
    expect(nextLocalTime(at('2026-10-25T01:30Z'), hm('02:30'), 'Europe/Berlin')).toBe(
      at('2026-10-26T01:30Z'),
    );
    expect(nextLocalTime(at('2026-10-24T12:00Z'), hm('09:00'), 'Europe/Berlin')).toBe(
      at('2026-10-25T08:00Z'),
    );
    expect(nextLocalTime(at('2026-11-01T04:00Z'), hm('01:30'), 'America/New_York')).toBe(
      at('2026-11-01T05:30Z'),
    );
  });

  it('rejects minutes outside a day', () => {
    for (const minutes of [-1, 1440, 1.5, Number.NaN]) {
      expect(() => nextLocalTime(0, minutes, 'UTC')).toThrow(RangeError);
    }
  });

  it('agrees with a minute-by-minute scan (property)', () => {
    fc.assert(nextAgreesWithScan(nextLocalTime), options);
  });

  it('the property catches an answer an hour off and one that ignores DST', () => {
    const hourLate: typeof nextLocalTime = (a, m, z) => nextLocalTime(a, m, z) + HOUR;
    // Assumes the offset at `after` holds until the target, as a naive implementation would.
    const ignoresDst: typeof nextLocalTime = (after, minutes, zone) => {
      const offset = wallAt(after, zone) - Math.floor(after / MINUTE) * MINUTE;
      const candidate = Math.floor((after + offset) / DAY) * DAY + minutes * MINUTE - offset;
      return candidate > after ? candidate : candidate + DAY;
    };
    expect(fc.check(nextAgreesWithScan(hourLate), options).failed).toBe(true);
    expect(fc.check(nextAgreesWithScan(ignoresDst), options).failed).toBe(true);
  });
});

describe('quietHoursEnd', () => {
  const night = { from: hm('21:00'), to: hm('08:00') };
  const lunch = { from: hm('12:00'), to: hm('14:00') };

  it('ends a window that wraps midnight at the next local `to`', () => {
    const zone = 'Europe/Berlin'; // +01:00 in January
    expect(quietHoursEnd(at('2026-01-15T21:30Z'), night, zone)).toBe(at('2026-01-16T07:00Z'));
    expect(quietHoursEnd(at('2026-01-16T02:00Z'), night, zone)).toBe(at('2026-01-16T07:00Z'));
    expect(quietHoursEnd(at('2026-01-16T11:00Z'), night, zone)).toBeNull();
  });

  it('counts `from` as inside and `to` as outside', () => {
    const zone = 'Europe/Berlin';
    expect(quietHoursEnd(at('2026-01-15T20:00Z'), night, zone)).toBe(at('2026-01-16T07:00Z'));
    expect(quietHoursEnd(at('2026-01-15T19:59:59Z'), night, zone)).toBeNull();
    expect(quietHoursEnd(at('2026-01-16T06:59:59Z'), night, zone)).toBe(at('2026-01-16T07:00Z'));
    expect(quietHoursEnd(at('2026-01-16T07:00Z'), night, zone)).toBeNull();
  });

  it('handles a window within one day', () => {
    expect(quietHoursEnd(at('2026-01-15T11:59Z'), lunch, 'UTC')).toBeNull();
    expect(quietHoursEnd(at('2026-01-15T12:00Z'), lunch, 'UTC')).toBe(at('2026-01-15T14:00Z'));
    expect(quietHoursEnd(at('2026-01-15T13:59:59Z'), lunch, 'UTC')).toBe(at('2026-01-15T14:00Z'));
    expect(quietHoursEnd(at('2026-01-15T14:00Z'), lunch, 'UTC')).toBeNull();
    expect(quietHoursEnd(at('2026-01-15T23:00Z'), lunch, 'UTC')).toBeNull();
  });

  it('has no quiet hours when from equals to', () => {
    const none = { from: hm('08:00'), to: hm('08:00') };
    for (const hour of [0, 7, 8, 9, 23]) {
      expect(quietHoursEnd(at('2026-01-15T00:00Z') + hour * HOUR, none, 'UTC')).toBeNull();
    }
  });

  it('uses local time in the zone, across DST changes', () => {
    expect(quietHoursEnd(at('2026-01-16T04:00Z'), night, 'America/New_York')).toBe(
      at('2026-01-16T13:00Z'),
    );
    // 01:45 CET; 02:30 does not exist that night, so the window ends at 03:00 CEST.
    const untilHalfPastTwo = { from: hm('21:00'), to: hm('02:30') };
    expect(quietHoursEnd(at('2026-03-29T00:45Z'), untilHalfPastTwo, 'Europe/Berlin')).toBe(
      at('2026-03-29T01:00Z'),
    );
    expect(quietHoursEnd(at('2026-10-24T20:00Z'), night, 'Europe/Berlin')).toBe(
      at('2026-10-25T07:00Z'),
    );
  });

  it('agrees with a minute-by-minute scan (property)', () => {
    fc.assert(quietEndAgreesWithScan(quietHoursEnd), options);
  });

  it('the property catches a window end an hour off', () => {
    const hourLate: typeof quietHoursEnd = (instant, quiet, zone) => {
      const end = quietHoursEnd(instant, quiet, zone);
      return end === null ? null : end + HOUR;
    };
    expect(fc.check(quietEndAgreesWithScan(hourLate), options).failed).toBe(true);
  });
});
