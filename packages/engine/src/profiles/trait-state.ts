import { own, setOwn } from './own-keys.js';

/**
 * Profile traits with the event time each value came from, so a late-arriving older event
 * never overwrites a newer value: per trait, the latest event time wins (on a tie, the one
 * applied last, i.e. later in the log).
 */
export interface TraitState {
  values: Record<string, unknown>;
  times: Record<string, number>;
}

export function emptyTraits(): TraitState {
  return { values: {}, times: {} };
}

/** Applies traits observed at `time`; returns the keys that changed. */
export function applyTraits(
  state: TraitState,
  traits: Record<string, unknown>,
  time: number,
): string[] {
  const changed: string[] = [];
  for (const [key, value] of Object.entries(traits)) {
    if (value === undefined) continue;
    const current = own(state.times, key);
    if (current !== undefined && time < current) continue;
    setOwn(state.times, key, time);
    if (!sameValue(own(state.values, key), value)) changed.push(key);
    setOwn(state.values, key, value);
  }
  return changed;
}

/** Folds a merged profile's traits into the survivor's, trait by trait. */
export function mergeTraits(survivor: TraitState, merged: TraitState): void {
  for (const [key, time] of Object.entries(merged.times)) {
    const current = own(survivor.times, key);
    if (current === undefined || time > current) {
      setOwn(survivor.times, key, time);
      setOwn(survivor.values, key, own(merged.values, key));
    }
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
