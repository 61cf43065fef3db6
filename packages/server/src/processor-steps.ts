import { SqliteEventVolumeStore } from './adapters/sqlite/processor-store.sqlite.js';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import { EventVolumeStep } from './modules/processor/event-volume.step.js';
import type { ProcessorStep } from './modules/processor/processor-step.js';

/**
 * The processor's steps, in order, wired to the stores of the processor thread's
 * connection. Later modules (identity, profiles, segments, journey triggers) add theirs here.
 */
export function buildProcessorSteps(db: SqliteDatabase): ProcessorStep[] {
  return [new EventVolumeStep(new SqliteEventVolumeStore(db))];
}
