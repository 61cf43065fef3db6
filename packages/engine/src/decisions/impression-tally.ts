import {
  addToTrail,
  countWithin,
  emptyTrail,
  type EventTrail,
} from '../conditions/event-trails.js';

/**
 * Recent impressions per visitor and counter (a placement, or one of its variants), for
 * frequency caps: an event trail per (visitor, counter), folded and counted as segments
 * fold theirs. A visitor may be known by several ids at once (userId and anonymousId):
 * an impression is recorded under each, and the count is the largest of theirs, so a
 * visitor who logs in keeps the impressions of their anonymous visits.
 *
 * A trail keeps only the latest `keep` times (a cap of N needs no more than the latest N
 * to tell whether N fall within its window), so memory is bounded by the number of
 * visitors times the caps, and `sweep` forgets trails whose newest time is too old to
 * matter.
 */
export class ImpressionTally {
  /** visitor key → counter → trail: a visitor's counters can be forgotten at once (erasure). */
  private readonly visitors = new Map<string, Map<string, EventTrail>>();

  /** Counters held (for tests and metrics). */
  get size(): number {
    let counters = 0;
    for (const trails of this.visitors.values()) counters += trails.size;
    return counters;
  }

  record(visitorKeys: readonly string[], counter: string, at: number, keep: number): void {
    for (const visitor of visitorKeys) {
      let trails = this.visitors.get(visitor);
      if (trails === undefined)
        this.visitors.set(visitor, (trails = new Map<string, EventTrail>()));
      let trail = trails.get(counter);
      if (trail === undefined) trails.set(counter, (trail = emptyTrail()));
      addToTrail(trail, at, keep);
    }
  }

  /** Impressions in `(now - span, now]`, and any after `now` (a clock ahead), at most `keep`. */
  count(visitorKeys: readonly string[], counter: string, span: number, now: number): number {
    let most = 0;
    for (const visitor of visitorKeys) {
      const trail = this.visitors.get(visitor)?.get(counter);
      if (trail !== undefined) most = Math.max(most, countWithin(trail, span, now));
    }
    return most;
  }

  /** Forgets the counters whose newest impression is at or before `before`. */
  sweep(before: number): void {
    for (const [visitor, trails] of this.visitors) {
      for (const [counter, trail] of trails)
        if (trail.last === null || trail.last <= before) trails.delete(counter);
      if (trails.size === 0) this.visitors.delete(visitor);
    }
  }

  /** Forgets everything counted under these visitor keys; returns how many counters. */
  forget(visitorKeys: readonly string[]): number {
    let forgotten = 0;
    for (const visitor of visitorKeys) {
      forgotten += this.visitors.get(visitor)?.size ?? 0;
      this.visitors.delete(visitor);
    }
    return forgotten;
  }
}
