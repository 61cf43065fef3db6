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
  const eventCounts: Record<string, number> = {};
  const lastSeen: Record<string, string> = {};
  for (const [name, a] of Object.entries(activity)) {
    eventCounts[name] = a.count;
    lastSeen[name] = formatIsoTimestamp(a.last);
  }
  const custom = Object.fromEntries(Object.entries(values).filter(([name]) => !rfmNames.has(name)));
  return {
    eventCounts,
    lastSeen,
    rfm: rfmOf(values, activity['Order Completed']?.last ?? null, now),
    ...custom,
  };
}
