/**
 * Records keyed by what senders choose (trait names, event names) must hold own keys only.
 * A key `__proto__` assigned with `obj[key] = value` would replace the object's prototype,
 * and a lookup of `constructor` or `toString` would find Object.prototype's: both corrupt
 * the record, the first can pollute every object of the thread.
 */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  else target[key] = value;
}

/** The record's own value at `key`, never an inherited one. */
export function own<T>(source: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(source, key) ? source[key] : undefined;
}
