import {
  evaluateComputed,
  formatIsoTimestamp,
  rfmDefinitions,
  rfmOf,
  type ComputedTraitDefinition,
} from '@attune/engine';
import type { ProfileData } from './profile.store.js';

const rfmNames = new Set(rfmDefinitions.map((d) => d.name));

/**
 * A profile's computed traits as the API shows them and conditions read them (`computed`
 * paths): event counts and last seen per event name, RFM, and the user's definitions, at now.
 */
export function computedView(
  profile: Pick<ProfileData, 'computed'>,
  definitions: readonly ComputedTraitDefinition[],
  now: number,
): Record<string, unknown> {
  const { activity, aggregates } = profile.computed;
  const values = evaluateComputed(aggregates, definitions, now);
  const custom = Object.fromEntries(Object.entries(values).filter(([name]) => !rfmNames.has(name)));
  return {
    eventCounts: eventCountsOf(activity),
    lastSeen: lastSeenOf(activity),
    rfm: rfmOf(values, activity['Order Completed']?.last ?? null, now),
    ...custom,
  };
}

/**
 * The same view, each part computed only when read: conditions usually read one path, and
 * the processor evaluates them for every event.
 */
export function lazyComputedView(
  profile: Pick<ProfileData, 'computed'>,
  definitions: readonly ComputedTraitDefinition[],
  now: number,
): Record<string, unknown> {
  let whole: Record<string, unknown> | null = null;
  const full = () => (whole ??= computedView(profile, definitions, now));
  return new Proxy(
    {},
    {
      has: (_, key) => {
        if (key === 'eventCounts' || key === 'lastSeen' || key === 'rfm') return true;
        return key in full();
      },
      get: (_, key) => {
        const { activity } = profile.computed;
        if (key === 'eventCounts') return eventCountsOf(activity);
        if (key === 'lastSeen') return lastSeenOf(activity);
        return full()[key as string];
      },
    },
  );
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
