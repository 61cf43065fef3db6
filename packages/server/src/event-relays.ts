import type { FastifyBaseLogger } from 'fastify';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import type { SqliteEventLog } from './adapters/sqlite/event-log.sqlite.js';
import type { SqliteIdentityStore } from './adapters/sqlite/identity-store.sqlite.js';
import { SqliteSegmentChangeSource } from './adapters/sqlite/segment-changes.sqlite.js';
import { SqliteStageChangeSource } from './adapters/sqlite/stage-changes.sqlite.js';
import { OutboxRelay, type OutboxName } from './modules/event-log/outbox-relay.js';
import { MergeEventRelay } from './modules/identity/merge-event-relay.js';
import { stageEventOf, type StageChangeRecord } from './modules/journey-map/stage-events.js';
import type { PiiCipher } from './modules/privacy/pii-cipher.js';
import { segmentEventOf, type SegmentChangeRecord } from './modules/segments/segment-events.js';
import type { Clock } from './platform/clock.js';

/**
 * The outboxes that announce what the processor committed in state.db (merges, segment
 * memberships, stage changes) as events in the log.
 */
export function eventRelays(w: {
  stateDb: SqliteDatabase;
  identity: SqliteIdentityStore;
  eventLog: SqliteEventLog;
  clock: Clock;
  logger: FastifyBaseLogger;
  cipher: PiiCipher;
  /** Records an outbox's progress in the state file (the processor thread's to write). */
  noteLogged: (outbox: OutboxName, seq: number) => void;
}): {
  mergeEvents: MergeEventRelay;
  segmentEvents: OutboxRelay<SegmentChangeRecord>;
  stageEvents: OutboxRelay<StageChangeRecord>;
} {
  const { eventLog: log, clock, logger } = w;
  const mergeEvents = new MergeEventRelay({
    merges: w.identity,
    log,
    clock,
    logger,
    noteLogged: (seq) => w.noteLogged('merges', seq),
    sealValue: (value) => w.cipher.encryptLeaf(value),
  });
  const changes = new SqliteSegmentChangeSource(w.stateDb);
  const segmentEvents = new OutboxRelay<SegmentChangeRecord>({
    source: {
      what: 'segment membership events',
      pendingAfter: (seq, limit) => changes.changesAfter(seq, limit),
      loggedThrough: () => changes.segmentEventsLoggedThrough(),
      toEvent: segmentEventOf,
    },
    log,
    clock,
    logger,
    noteLogged: (seq) => w.noteLogged('memberships', seq),
    backfilling: () => changes.backfilling(),
  });
  const stageChanges = new SqliteStageChangeSource(w.stateDb);
  const stageEvents = new OutboxRelay<StageChangeRecord>({
    source: {
      what: 'stage events',
      pendingAfter: (seq, limit) => stageChanges.changesAfter(seq, limit),
      loggedThrough: () => stageChanges.loggedThrough(),
      toEvent: stageEventOf,
    },
    log,
    clock,
    logger,
    noteLogged: (seq) => w.noteLogged('stages', seq),
  });
  return { mergeEvents, segmentEvents, stageEvents };
}
