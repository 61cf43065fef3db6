/**
 * Where a processor keeps its position. `commit` runs the derived-state writes and stores
 * the new offset in one transaction: both happen or neither does, which is what makes
 * processing exactly-once across crashes.
 */
export interface ProcessorStore {
  committedOffset(processor: string): number;
  commit(processor: string, offset: number, applyDerivedState: () => void): void;
}
