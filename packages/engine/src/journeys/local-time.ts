const MINUTE = 60_000;
const DAY = 86_400_000;
const MINUTES_PER_DAY = 1440;

/** Minutes after midnight: 0–1439. */
export interface QuietHours {
  /** Start of the window (inside it); from === to means no quiet hours. */
  from: number;
  /** End of the window (outside it). */
  to: number;
}

// Constructing a formatter costs ~50× a format call, so keep one per zone. Zone names are
// case-insensitive in Intl; keying by the lower-cased name bounds the cache by real zones.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  const key = zone.toLowerCase();
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

function floorMod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** The zone's UTC offset in ms at an instant (wall clock read as UTC minus the instant). */
function offsetAt(formatter: Intl.DateTimeFormat, instant: number): number {
  // The formatter shows whole seconds, so compare against the instant truncated likewise.
  const whole = instant - floorMod(instant, 1000);
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(whole)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const { year, month, day, hour, minute, second } = fields;
  return Date.UTC(year, month - 1, day, hour, minute, second) - whole;
}

function assertMinutes(minutes: number, name: string): void {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes >= MINUTES_PER_DAY) {
    throw new RangeError(`${name} must be an integer in 0–1439, got ${minutes}`);
  }
}

/** 'HH:MM' (00:00–23:59) → minutes after midnight, or null when malformed. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m === null ? null : Number(m[1]) * 60 + Number(m[2]);
}

/** Whether Intl knows this IANA zone name (e.g. 'Europe/Berlin', 'UTC'). */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes after local midnight of an instant (epoch ms) in a zone. */
export function localMinutesOfDay(instant: number, zone: string): number {
  const wall = instant + offsetAt(formatterFor(zone), instant);
  return Math.floor(floorMod(wall, DAY) / MINUTE);
}

/**
 * The instants whose wall clock reads `wall` (local time as UTC ms), ascending: one normally,
 * two in a fall-back overlap, and in a spring-forward gap the single instant the gap ends.
 * Assumes at most one offset change within a day of `wall`, true of every real zone.
 */
function instantsForWall(formatter: Intl.DateTimeFormat, wall: number): number[] {
  const before = offsetAt(formatter, wall - DAY);
  const after = offsetAt(formatter, wall + DAY);
  const found = [...new Set([wall - before, wall - after])]
    .filter((t) => offsetAt(formatter, t) === wall - t)
    .sort((a, b) => a - b);
  if (found.length > 0 || before >= after) return found;
  // Gap: wall - after reads before the jump, wall - before after it; find the jump to the second.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetAt(formatter, mid) === before) lo = mid;
    else hi = mid;
  }
  return [hi];
}

/**
 * The first instant strictly after `after` (epoch ms) at which the wall clock in `zone` reads
 * `minutes` after midnight (seconds 0). On a day where that wall time does not exist (spring
 * forward gap) it is the first instant after the gap (e.g. 02:30 on the day Berlin jumps
 * 02:00→03:00 gives 03:00 local); where it occurs twice (fall back) it is the first occurrence
 * (the second one only when `after` lies between them).
 */
export function nextLocalTime(after: number, minutes: number, zone: string): number {
  assertMinutes(minutes, 'minutes');
  const formatter = formatterFor(zone);
  const offset = offsetAt(formatter, after);
  const localDay = Math.floor((after + offset) / DAY);
  // Fast path: with the offset of `after`, today's or tomorrow's wall time, if the offset at
  // that instant agrees (no transition in between).
  for (const day of [localDay, localDay + 1]) {
    const candidate = day * DAY + minutes * MINUTE - offset;
    if (candidate <= after) continue;
    if (offsetAt(formatter, candidate) === offset) return candidate;
    break;
  }
  // A transition lies ahead: resolve each nearby day's wall time exactly. The previous day is
  // included because a fall-back can repeat wall times of the day before.
  for (let day = localDay - 1; day <= localDay + 2; day++) {
    for (const t of instantsForWall(formatter, day * DAY + minutes * MINUTE)) {
      if (t > after) return t;
    }
  }
  throw new Error(`no local time ${minutes} min after midnight in ${zone} after ${after}`);
}

/**
 * When `instant` falls inside the quiet window (local time in `zone`, [from, to), wrapping
 * midnight when from > to), the instant the window ends (the next time the local clock reads
 * `to`, via nextLocalTime); otherwise null.
 */
export function quietHoursEnd(instant: number, quiet: QuietHours, zone: string): number | null {
  assertMinutes(quiet.from, 'quiet.from');
  assertMinutes(quiet.to, 'quiet.to');
  const { from, to } = quiet;
  const local = localMinutesOfDay(instant, zone);
  const inside = from < to ? local >= from && local < to : local >= from || local < to;
  return from !== to && inside ? nextLocalTime(instant, to, zone) : null;
}
