import type { LoggedEvent } from '../event-log/event-log.store.js';

/**
 * One stage of processing (identity, profiles, segments… in later modules). `apply` runs
 * inside the processor's transaction; it must write only through stores that share it and
 * must be deterministic in the events it is given.
 */
export interface ProcessorStep {
  readonly name: string;
  apply(events: readonly LoggedEvent[]): void;
}
