/**
 * Where a processor keeps its position. A transaction holds the derived-state writes of
 * one or more batches and, at `commit`, the new offset: both happen or neither does, which
 * is what makes processing exactly-once across crashes.
 */
export interface ProcessorStore {
  committedOffset(processor: string): number;
  /** Opens the transaction the derived-state writes that follow belong to. */
  begin(): void;
  /** Stores the offset and commits the transaction. */
  commit(processor: string, offset: number): void;
  /** Undoes everything since `begin`. */
  rollback(): void;
}
