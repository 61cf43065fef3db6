const unitMillis: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Reads a duration such as `7d`, `24h`, `90s`, `1500ms` or a bare number of milliseconds.
 * Returns null for anything else (negative, fractional units, unknown units).
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+)\s*(ms|s|m|h|d|w)?\s*$/.exec(text);
  if (m === null) return null;
  const amount = Number(m[1]);
  const millis = amount * (unitMillis[m[2] ?? 'ms'] ?? 1);
  return Number.isSafeInteger(millis) ? millis : null;
}
