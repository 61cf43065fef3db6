import type { EventFields } from '../event-log/event-log.store.js';

/** What steps see: the event's fields, and its message text when some step needs it. */
export type ProcessorEvent = EventFields & { message?: string };

/**
 * One stage of processing (identity, profiles, segments… in later modules). `apply` runs
 * inside the processor's transaction; it must write only through stores that share it and
 * must be deterministic in the events it is given.
 */
export interface ProcessorStep {
  readonly name: string;
  /** Whether `apply` reads `message`; if no step does, the processor skips loading it. */
  readonly needsMessage: boolean;
  apply(events: readonly ProcessorEvent[]): void;
  /** Forget anything kept in memory between batches: the batch just applied rolled back. */
  discard?(): void;
}
