/**
 * A string-keyed memo of bounded size with two generations: when the young one holds
 * `capacity` entries it becomes the old one and the previous old one is dropped; a hit in
 * the old generation moves the entry back to the young one. Cheaper than an LRU on hot
 * paths, and unlike clearing everything at once, the working set survives a rollover.
 */
export class BoundedMemo<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const kept = this.old.get(key);
    if (kept !== undefined) this.set(key, kept);
    return kept;
  }

  /** Remembers the value and returns it. */
  set(key: string, value: V): V {
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
    return value;
  }
}
