import {
  capsOfServed,
  ImpressionTally,
  type CompiledCap,
  type CompiledPlacement,
} from '@attune/engine';

/** The ids a decision was asked for, as the events log stores them (lookup pseudonyms). */
export interface VisitorIds {
  userId: string | undefined;
  anonymousId: string | undefined;
}

/** A `Decision Served` read back from the log (ids as the log stores them). */
export interface ServedImpression {
  userId: string | null;
  anonymousId: string | null;
  placement: string;
  variantId: string;
  ruleId: string | null;
  at: number;
}

export interface FrequencyCapsDeps {
  /** An id's lookup pseudonym, as in the events log's user_id/anonymous_id columns. */
  pseudonym: (column: 'user_id' | 'anonymous_id', id: string) => string;
  /** How often (in recorded impressions) counters too old to matter are dropped. */
  sweepEvery?: number;
}

/** Caps may span up to this long; it bounds what is restored at start and kept in memory. */
export const longestCapMs = 30 * 86_400_000;

/**
 * Impressions per visitor for frequency caps, in memory on the thread that decides, so a
 * cap holds from the very next request. Visitors are keyed by the pseudonyms of their ids
 * (never the ids themselves); at start the counts are restored from the `Decision Served`
 * events in the log, which is what makes them durable.
 */
export class FrequencyCaps {
  private readonly tally = new ImpressionTally();
  private recorded = 0;
  private longestSpan = 0;

  constructor(private readonly deps: FrequencyCapsDeps) {}

  /** Counters held (for tests and metrics). */
  get size(): number {
    return this.tally.size;
  }

  keysOf(ids: VisitorIds): string[] {
    const { pseudonym } = this.deps;
    return keysOfPseudonyms(
      ids.userId === undefined ? null : pseudonym('user_id', ids.userId),
      ids.anonymousId === undefined ? null : pseudonym('anonymous_id', ids.anonymousId),
    );
  }

  reached(keys: readonly string[], cap: CompiledCap, now: number): boolean {
    return keys.length > 0 && this.tally.count(keys, cap.counter, cap.span, now) >= cap.max;
  }

  record(keys: readonly string[], caps: readonly CompiledCap[], at: number): void {
    if (keys.length === 0) return;
    for (const cap of caps) {
      this.tally.record(keys, cap.counter, at, cap.max);
      if (cap.span > this.longestSpan) this.longestSpan = cap.span;
      if (++this.recorded % (this.deps.sweepEvery ?? 10_000) === 0)
        this.tally.sweep(at - this.longestSpan);
    }
  }

  /**
   * Forgets the impressions of the visitors known by these pseudonyms (an erased person's),
   * as user or anonymous id; returns how many counters went. Their `Decision Served` events
   * are erased from the log with the rest, so a restart does not count them again.
   */
  forget(pseudonyms: readonly string[]): number {
    return this.tally.forget(pseudonyms.flatMap((p) => keysOfPseudonyms(p, p)));
  }

  /**
   * Counts logged impressions again (at start), under the caps the placements have now:
   * an impression of a variant without a cap today is not counted.
   */
  restore(
    impressions: Iterable<ServedImpression>,
    placementOf: (id: string) => CompiledPlacement | undefined,
  ): number {
    let restored = 0;
    for (const served of impressions) {
      if (served.ruleId === null) continue;
      const placement = placementOf(served.placement);
      if (placement === undefined || !placement.capped) continue;
      const caps = capsOfServed(placement, served.variantId);
      const keys = keysOfPseudonyms(served.userId, served.anonymousId);
      if (caps.length === 0 || keys.length === 0) continue;
      this.record(keys, caps, served.at);
      restored++;
    }
    return restored;
  }
}

/** A visitor's keys from the pseudonyms of their ids (as the log stores them). */
function keysOfPseudonyms(userId: string | null, anonymousId: string | null): string[] {
  const keys: string[] = [];
  if (userId !== null) keys.push(`u:${userId}`);
  if (anonymousId !== null) keys.push(`a:${anonymousId}`);
  return keys;
}
