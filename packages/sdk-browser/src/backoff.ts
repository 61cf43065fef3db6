/**
 * Delay before retry number `attempt` (0-based): `base` doubling up to `cap`, with "equal
 * jitter" (between half and all of it), so pages that failed together do not retry together
 * and never hammer a recovering server faster than half the schedule.
 */
export function backoffDelay(attempt: number, random: () => number, base = 500, cap = 30_000) {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After in seconds or as an HTTP date, in ms from `now`; undefined when absent or
 * unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
