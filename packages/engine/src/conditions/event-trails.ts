import type { PropertyFilter } from '@attune/contracts';
import { compareValue, valueAt } from './compare-values.js';

/**
 * What a profile's history says about one kind of event (a name, property filters, maybe
 * a fixed time range): how many, the first and last time, and the latest `keep` times.
 * Conditions are evaluated from trails, so no history scan is needed per event; a trail
 * is folded from events one by one, the same way live and in a backfill.
 */
export interface EventTrail {
  count: number;
  first: number | null;
  last: number | null;
  /** The latest event times, ascending, at most the spec's `keep`. */
  recent: number[];
}

export interface TrailSpec {
  /** Identifies the trail (same filter, same trail: conditions share it). */
  key: string;
  event: string;
  where: readonly PropertyFilter[];
  /** Only events in [from, to) count. */
  from: number | null;
  to: number | null;
  /** How many of the latest times to keep. */
  keep: number;
}

export interface TrailEvent {
  name: string;
  properties: Readonly<Record<string, unknown>>;
  timestamp: number;
}

export function emptyTrail(): EventTrail {
  return { count: 0, first: null, last: null, recent: [] };
}

/** Whether the event is one the spec's trail counts (property filters at the event's time). */
export function trailMatches(spec: TrailSpec, event: TrailEvent): boolean {
  if (event.name !== spec.event) return false;
  if (spec.from !== null && event.timestamp < spec.from) return false;
  if (spec.to !== null && event.timestamp >= spec.to) return false;
  return spec.where.every((f) =>
    compareValue(valueAt(event.properties, f.property), f, event.timestamp),
  );
}

/** Folds one matching event into a trail (in place). Order of arrival does not matter. */
export function addToTrail(trail: EventTrail, time: number, keep: number): void {
  trail.count++;
  trail.first = trail.first === null ? time : Math.min(trail.first, time);
  trail.last = trail.last === null ? time : Math.max(trail.last, time);
  if (keep === 0) return;
  const recent = trail.recent;
  if (recent.length >= keep && time <= (recent[0] as number)) return;
  let i = recent.length;
  while (i > 0 && (recent[i - 1] as number) > time) i--;
  recent.splice(i, 0, time);
  if (recent.length > keep) recent.shift();
}

/** Combines the trail of a merged profile into the survivor's (in place). */
export function mergeTrail(into: EventTrail, from: EventTrail, keep: number): void {
  const count = into.count + from.count;
  for (const t of from.recent) addToTrail(into, t, keep);
  into.count = count;
  if (from.first !== null)
    into.first = into.first === null ? from.first : Math.min(into.first, from.first);
  if (from.last !== null)
    into.last = into.last === null ? from.last : Math.max(into.last, from.last);
}

/**
 * How many of the trail's kept times are in the last `span` before `now` (capped by
 * `keep`). A time after `now` (a sender's clock ahead) counts as within: that keeps the
 * in-window times a suffix of the kept ones, so the cap never hides one.
 */
export function countWithin(trail: EventTrail, span: number, now: number): number {
  let n = 0;
  for (let i = trail.recent.length - 1; i >= 0 && (trail.recent[i] as number) > now - span; i--)
    n++;
  return n;
}
