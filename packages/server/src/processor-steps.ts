import { SqliteIdentityStore } from './adapters/sqlite/identity-store.sqlite.js';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import { SqliteEventVolumeStore } from './adapters/sqlite/processor-store.sqlite.js';
import { SqliteProfileStore } from './adapters/sqlite/profile-store.sqlite.js';
import type { ProcessingSettings } from './config/processing.js';
import { EventVolumeStep } from './modules/processor/event-volume.step.js';
import type { ProcessorStep } from './modules/processor/processor-step.js';
import { ProfilesStep } from './modules/profiles/profiles.step.js';

/**
 * The processor's steps, in order, wired to the stores of the processor thread's
 * connection to the state file. Later modules (segments, journey triggers) add theirs here.
 */
export function buildProcessorSteps(
  db: SqliteDatabase,
  settings: ProcessingSettings,
): ProcessorStep[] {
  return [
    new EventVolumeStep(new SqliteEventVolumeStore(db)),
    new ProfilesStep(
      new SqliteIdentityStore(db, settings.cachedProfiles),
      new SqliteProfileStore(db),
      settings.identityRules,
      settings.computedTraits,
      settings.cachedProfiles,
    ),
  ];
}

/**
 * The processor's connection to the state file. NORMAL: only derived state, committed with
 * its offset. A big page cache and WAL: the processor's writes are random updates across
 * all profiles, and a page updated several times between checkpoints is written back once.
 */
export const processorStateOptions = (cacheMb: number) =>
  ({ schema: 'state', synchronous: 'NORMAL', cacheMb, walPages: 32_768 }) as const;
