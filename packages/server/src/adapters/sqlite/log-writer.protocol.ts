import type { HourFieldRow, HourOutcomeRow } from '../../modules/quality/quality.store.js';

/** Messages between the main thread and the log writer thread. */
export interface WriterSettings {
  file: string;
  dedupWindowMs: number;
  /**
   * Another thread runs WAL checkpoints (the processor's), so commits here do not stall on
   * copying the WAL into the database; the writer then checkpoints only as a safety net.
   */
  checkpointElsewhere: boolean;
}

export type WriterRequest =
  | { kind: 'append'; id: number; rows: unknown[] }
  /** Quality counts to add in the next transaction (see qualityCountsWriter). */
  | { kind: 'counts'; id: number; outcomes: HourOutcomeRow[]; fields: HourFieldRow[] }
  | { kind: 'close' };

export type WriterReply =
  | { kind: 'appended'; id: number; offsets: Float64Array; commit: number }
  | { kind: 'counted'; id: number }
  | { kind: 'failed'; id: number; error: string }
  | { kind: 'ready'; indexed: number; indexMillis: number }
  | { kind: 'closed' };

/** Marks a duplicate in the offsets array of a reply. */
export const duplicateOffset = -1;
