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

/**
 * A trait named `__proto__` (an own key from JSON.parse) assigned with `obj[key] = value`
 * would replace the object's prototype, and every trait lookup would then see the sent
 * object's keys as inherited traits. Defining it keeps it a plain trait.
 */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else target[key] = value;
}

/** Own traits only: `constructor` or `toString` is not a trait a profile inherits. */
function own<T>(source: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
