/**
 * A string-keyed memo that forgets everything once it holds `capacity` entries: cheaper
 * than an LRU on hot paths, and a working set that fits refills it within moments.
 */
export class BoundedMemo<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Remembers the value and returns it. */
  set(key: string, value: V): V {
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }
}
