/** Where the suppression list persists (attune.db: primary data, not derivable). */
export interface SuppressionStore {
  /** The pseudonyms in force (not lifted). */
  active(): string[];
  add(pseudonyms: readonly string[], at: number): void;
  /** Records that the subject re-consented: events with it are accepted again. */
  lift(pseudonym: string, at: number): void;
}

/**
 * The identifiers (as HMAC pseudonyms) of erased people, held in memory for the ingest
 * path: a Set lookup per identifier, no query.
 */
export class SuppressionList {
  private readonly pseudonyms: Set<string>;

  constructor(private readonly store: SuppressionStore) {
    this.pseudonyms = new Set(store.active());
  }

  get size(): number {
    return this.pseudonyms.size;
  }

  has(pseudonym: string): boolean {
    return this.pseudonyms.has(pseudonym);
  }

  /** Durable before it takes effect, so a restart keeps suppressing. */
  add(pseudonyms: readonly string[], at: number): void {
    const fresh = pseudonyms.filter((p) => !this.pseudonyms.has(p));
    if (fresh.length === 0) return;
    this.store.add(fresh, at);
    for (const p of fresh) this.pseudonyms.add(p);
  }

  lift(pseudonym: string, at: number): void {
    if (!this.pseudonyms.delete(pseudonym)) return;
    this.store.lift(pseudonym, at);
  }
}
