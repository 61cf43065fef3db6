import type { ConsentChange } from '@attune/engine';

/** Consent history (primary data). Synchronous: the ingest gate records on its path. */
export interface ConsentStore {
  /** Appends in one durable transaction (seq given by the caller, the only writer). */
  append(changes: readonly ConsentChange[]): void;
  /** The highest seq ever used (deleted rows included), 0 when none. */
  lastSeq(): number;
  /** Every change in seq order, to fold the current state at start. */
  all(): Iterable<ConsentChange>;
  /** The changes of these pseudonyms, in seq order. */
  historyOf(pseudonyms: readonly string[]): ConsentChange[];
  /** Deletes every change of these pseudonyms (erasure); returns how many rows went. */
  forget(pseudonyms: readonly string[]): number;
}
