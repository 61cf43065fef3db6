import {
  evaluateComputed,
  formatIsoTimestamp,
  rfmDefinitions,
  rfmOf,
  rfmScore,
  type ComputedTraitDefinition,
  type Rfm,
  type RfmBreakpoints,
  type RfmScore,
} from '@attune/engine';
import type { ComputedData, ProfileData } from './profile.store.js';

const rfmNames = new Set(rfmDefinitions.map((d) => d.name));

/** RFM as the computed view shows it: with `score` once there are breakpoints and orders. */
export type RfmView = Rfm & { score?: RfmScore };

/**
 * A profile's computed traits as the API shows them and conditions read them (`computed`
 * paths): event counts and last seen per event name, RFM, and the user's definitions, at now.
 * `rfm.score` is scored against `breakpoints` (the latest RFM snapshot), when there are any.
 */
export function computedView(
  profile: Pick<ProfileData, 'computed'>,
  definitions: readonly ComputedTraitDefinition[],
  now: number,
  breakpoints: RfmBreakpoints | null = null,
): Record<string, unknown> {
  const { activity, aggregates } = profile.computed;
  const values = evaluateComputed(aggregates, definitions, now);
  const custom = Object.fromEntries(Object.entries(values).filter(([name]) => !rfmNames.has(name)));
  return {
    eventCounts: eventCountsOf(activity),
    lastSeen: lastSeenOf(activity),
    rfm: withScore(rfmOf(values, activity['Order Completed']?.last ?? null, now), breakpoints),
    ...custom,
  };
}

/** Only the RFM part of the view, without its score: what the RFM recompute reads. */
export function rfmView(computed: ComputedData, now: number): Rfm {
  const values = evaluateComputed(computed.aggregates, rfmDefinitions, now);
  return rfmOf(values, computed.activity['Order Completed']?.last ?? null, now);
}

/**
 * The same view, each part computed only when read: conditions usually read one path, and
 * the processor evaluates them for every event.
 */
export function lazyComputedView(
  profile: Pick<ProfileData, 'computed'>,
  definitions: readonly ComputedTraitDefinition[],
  now: number,
  breakpoints: RfmBreakpoints | null = null,
): Record<string, unknown> {
  let whole: Record<string, unknown> | null = null;
  const full = () => (whole ??= computedView(profile, definitions, now, breakpoints));
  const has = (key: string | symbol): boolean => {
    if (key === 'eventCounts' || key === 'lastSeen' || key === 'rfm') return true;
    return typeof key === 'string' && Object.hasOwn(full(), key);
  };
  const get = (key: string | symbol): unknown => {
    const { activity } = profile.computed;
    if (key === 'eventCounts') return eventCountsOf(activity);
    if (key === 'lastSeen') return lastSeenOf(activity);
    return typeof key === 'string' ? full()[key] : undefined;
  };
  return new Proxy(
    {},
    {
      has: (_, key) => has(key),
      get: (_, key) => get(key),
      // Conditions read own keys only (Object.hasOwn), so the view reports its keys as own.
      getOwnPropertyDescriptor: (_, key) =>
        has(key)
          ? { value: get(key), enumerable: true, configurable: true, writable: false }
          : undefined,
    },
  );
}

function withScore(rfm: Rfm, breakpoints: RfmBreakpoints | null): RfmView {
  const score = breakpoints === null ? null : rfmScore(rfm, breakpoints);
  return score === null ? rfm : { ...rfm, score };
}

function eventCountsOf(activity: ProfileData['computed']['activity']): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [name, a] of Object.entries(activity)) counts[name] = a.count;
  return counts;
}

function lastSeenOf(activity: ProfileData['computed']['activity']): Record<string, string> {
  const lastSeen: Record<string, string> = {};
  for (const [name, a] of Object.entries(activity)) lastSeen[name] = formatIsoTimestamp(a.last);
  return lastSeen;
}
