import type { ConsentChange } from '@attune/engine';

export type NewConsentChange = Omit<ConsentChange, 'seq'>;

/** Consent history (primary data). Synchronous: the ingest gate records on its path. */
export interface ConsentStore {
  /** Appends in one durable transaction; returns the changes with their seq. */
  append(changes: readonly NewConsentChange[]): ConsentChange[];
  /** Every change in seq order, to fold the current state at start. */
  all(): Iterable<ConsentChange>;
  /** The changes of these pseudonyms, in seq order. */
  historyOf(pseudonyms: readonly string[]): ConsentChange[];
  /** Deletes every change of these pseudonyms (erasure); returns how many rows went. */
  forget(pseudonyms: readonly string[]): number;
}
