// YYYY-MM-DD, optionally followed by THH:MM[:SS[.fraction]] and a zone (Z, ±HH:MM, ±HHMM, ±HH).
// A time without a zone is read as UTC: servers must not depend on their own time zone.
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const daysInMonth = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses an ISO-8601 date or date-time into epoch milliseconds, or returns null when the
 * text is not one. Stricter than Date.parse: no locale formats, no out-of-range fields.
 */
export function parseIsoTimestamp(text: string): number | null {
  if (text.length === 24 && isCanonicalShape(text)) return canonical(text);
  const m = isoPattern.exec(text);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > (daysInMonth[month - 1] ?? 0)) return null;
  if (month === 2 && day === 29 && !isLeapYear(year)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offsetMinutes = parseZone(m[8]);
  if (offsetMinutes === null) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, what Date#toISOString and so most SDKs produce. */
function isCanonicalShape(t: string): boolean {
  return (
    t.charCodeAt(4) === 45 &&
    t.charCodeAt(7) === 45 &&
    t.charCodeAt(10) === 84 &&
    t.charCodeAt(13) === 58 &&
    t.charCodeAt(16) === 58 &&
    t.charCodeAt(19) === 46 &&
    t.charCodeAt(23) === 90
  );
}

/** The fast path for the canonical shape: digits read directly, ranges checked as above. */
function canonical(t: string): number | null {
  const year = digits(t, 0, 4);
  const month = digits(t, 5, 2);
  const day = digits(t, 8, 2);
  const hour = digits(t, 11, 2);
  const minute = digits(t, 14, 2);
  const second = digits(t, 17, 2);
  const millis = digits(t, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > (daysInMonth[month - 1] ?? 0))
    return null;
  if (month === 2 && day === 29 && !isLeapYear(year)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0)
    return null;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** The number in t[start, start+length) if all are digits, else -1. */
function digits(t: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const d = t.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parseZone(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

export function formatIsoTimestamp(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}
