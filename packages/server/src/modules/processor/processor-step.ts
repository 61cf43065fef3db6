import type { EventFields } from '../event-log/event-log.store.js';

/** What steps see: the event's fields, and its message text when some step needs it. */
export type ProcessorEvent = EventFields & { message?: string };

/**
 * One stage of processing (identity, profiles, segments… in later modules). `apply` runs
 * inside the processor's transaction, possibly several times in one (a batch per read);
 * then `flush` writes what the step kept in memory, just before the commit. A step must
 * write only through stores that share the transaction and must be deterministic in the
 * events it is given, whatever the batch boundaries.
 */
export interface ProcessorStep {
  readonly name: string;
  /** Whether `apply` reads `message`; if no step does, the processor skips loading it. */
  readonly needsMessage: boolean;
  /**
   * A transaction begins after this offset (before any `apply`). Returns how much it changed
   * (0: nothing), so changes made here are committed even with no events.
   */
  begin?(afterOffset: number): number;
  /**
   * Whether it needs track events of this name, among those the processor skips when no
   * step does (`ProcessorDeps.optionalTracks`). Asked after `begin`, every transaction.
   */
  wantsTrack?(name: string): boolean;
  apply(events: readonly ProcessorEvent[]): void;
  /**
   * Work that does not come from events (timers, backfills), once per transaction after the
   * events; returns how much it did (0: nothing), so an idle processor still commits it.
   */
  tick?(): Promise<number> | number;
  /** Writes state kept in memory across the transaction's batches (once, before commit). */
  flush?(): void;
  /** Forget anything kept in memory between batches: the batch just applied rolled back. */
  discard?(): void;
}
