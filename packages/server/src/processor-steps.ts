import { activeSegmentDefinitions } from './adapters/sqlite/active-segment-definitions.sqlite.js';
import type { EventReader } from './adapters/sqlite/event-reader.sqlite.js';
import { SqliteIdentityStore } from './adapters/sqlite/identity-store.sqlite.js';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import { SqliteEventVolumeStore } from './adapters/sqlite/processor-store.sqlite.js';
import { SqliteProfileStore } from './adapters/sqlite/profile-store.sqlite.js';
import { SqliteRfmSnapshotsStore } from './adapters/sqlite/rfm-snapshots.sqlite.js';
import { SqliteSegmentStateStore } from './adapters/sqlite/segment-state.sqlite.js';
import type { ProcessingSettings } from './config/processing.js';
import { EventVolumeStep } from './modules/processor/event-volume.step.js';
import type { ProcessorStep } from './modules/processor/processor-step.js';
import { decisionServedEvent } from './modules/decisions/served-log.js';
import { ProfilesStep } from './modules/profiles/profiles.step.js';
import { SegmentsStep } from './modules/segments/segments.step.js';
import type { ReadChunkAhead } from './modules/segments/backfill-read-ahead.js';
import type { Clock } from './platform/clock.js';
import type { PiiCipher } from './modules/privacy/pii-cipher.js';

export interface ProcessorSources {
  /** The processor thread's connection to attune.db (segment definitions). */
  logDb: SqliteDatabase;
  reader: Pick<EventReader, 'readTracks'>;
  /** Reads a backfill's next chunk ahead, on another thread (default: here). */
  readAhead?: ReadChunkAhead;
  /** Encrypts identifiers and traits in the state file (see PiiCipher). */
  cipher: PiiCipher;
  clock: Clock;
  /** Profiles backfilled per transaction (default 500). */
  segmentBackfillChunk?: number;
  onSkippedSegment?: (segmentId: string, reason: string) => void;
}

/**
 * The processor's steps, in order, wired to the stores of the processor thread's
 * connection to the state file. Later modules (journey triggers) add theirs here.
 */
export function buildProcessorSteps(
  db: SqliteDatabase,
  settings: ProcessingSettings,
  sources: ProcessorSources,
): ProcessorStep[] {
  const profileStore = new SqliteProfileStore(db, sources.cipher, settings.cachedProfiles);
  const segments = new SegmentsStep({
    store: new SqliteSegmentStateStore(db),
    definitions: activeSegmentDefinitions(sources.logDb),
    profiles: profileStore,
    readTracks: (offsets, events, withProperties) =>
      sources.reader.readTracks(offsets, events, withProperties),
    computedTraits: settings.computedTraits,
    rfm: latestRfm(sources.logDb),
    clock: sources.clock,
    backfillChunk: sources.segmentBackfillChunk ?? 500,
    ...(sources.readAhead === undefined ? {} : { readAhead: sources.readAhead }),
    ...(sources.onSkippedSegment === undefined ? {} : { onSkipped: sources.onSkippedSegment }),
  });
  const profiles = new ProfilesStep(
    new SqliteIdentityStore(db, sources.cipher, settings.cachedProfiles),
    profileStore,
    settings.identityRules,
    settings.computedTraits,
    [segments],
    optionalProcessorTracks,
  );
  segments.attach(profiles);
  return [new EventVolumeStep(new SqliteEventVolumeStore(db)), profiles, segments];
}

/**
 * Attune's own telemetry tracks: the processor applies them only while a step wants them
 * (decisions are logged one event each, and profiles need them only when a segment or
 * computed trait is defined on them), and a profile they alone changed is not reported as
 * updated.
 */
export const optionalProcessorTracks: readonly string[] = [decisionServedEvent];

/** The processor's view of the latest RFM snapshot (one small query per transaction). */
function latestRfm(logDb: SqliteDatabase) {
  const snapshots = new SqliteRfmSnapshotsStore(logDb);
  return () => {
    const latest = snapshots.latest();
    return latest === undefined
      ? null
      : { version: latest.version, breakpoints: latest.breakpoints };
  };
}

/**
 * The processor's connection to the state file. NORMAL: only derived state, committed with
 * its offset. A big page cache and WAL: the processor's writes are random updates across
 * all profiles, and a page updated several times between checkpoints is written back once.
 */
export const processorStateOptions = (cacheMb: number) =>
  ({ schema: 'state', synchronous: 'NORMAL', cacheMb, walPages: 32_768 }) as const;
