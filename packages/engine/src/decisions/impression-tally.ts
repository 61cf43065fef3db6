/**
 * Recent impressions per visitor and counter (a placement, or one of its variants), for
 * frequency caps. A visitor may be known by several ids at once (userId and anonymousId):
 * an impression is recorded under each, and the count is the largest of theirs, so a
 * visitor who logs in keeps the impressions of their anonymous visits.
 *
 * Only the latest `keep` times of a counter are kept (a cap of N needs no more than the
 * latest N to tell whether N fall within its window), so memory is bounded by the number
 * of visitors times the caps, and `sweep` forgets counters whose newest time is too old to
 * matter.
 */
export class ImpressionTally {
  private readonly times = new Map<string, number[]>();

  /** Counters held (for tests and metrics). */
  get size(): number {
    return this.times.size;
  }

  record(visitorKeys: readonly string[], counter: string, at: number, keep: number): void {
    for (const visitor of visitorKeys) {
      const key = `${visitor}\u0000${counter}`;
      let times = this.times.get(key);
      if (times === undefined) this.times.set(key, (times = []));
      insertKeepingLatest(times, at, keep);
    }
  }

  /** Impressions in `(now - span, now]`, and any after `now` (a clock ahead), at most `keep`. */
  count(visitorKeys: readonly string[], counter: string, span: number, now: number): number {
    let most = 0;
    for (const visitor of visitorKeys) {
      const times = this.times.get(`${visitor}\u0000${counter}`);
      if (times === undefined) continue;
      let within = 0;
      for (let i = times.length - 1; i >= 0 && (times[i] as number) > now - span; i--) within++;
      if (within > most) most = within;
    }
    return most;
  }

  /** Forgets the counters whose newest impression is at or before `before`. */
  sweep(before: number): void {
    for (const [key, times] of this.times) {
      if (times.length === 0 || (times[times.length - 1] as number) <= before)
        this.times.delete(key);
    }
  }
}

/** Inserts `at` into ascending `times`, dropping the oldest beyond `keep`. */
function insertKeepingLatest(times: number[], at: number, keep: number): void {
  if (times.length >= keep && at <= (times[0] as number)) return;
  let i = times.length;
  while (i > 0 && (times[i - 1] as number) > at) i--;
  times.splice(i, 0, at);
  while (times.length > keep) times.shift();
}
