import type { FastifyBaseLogger } from 'fastify';
import { SqliteIdentityQualityStore } from './adapters/sqlite/identity-quality.sqlite.js';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import { SqliteQualityStore } from './adapters/sqlite/quality-store.sqlite.js';
import type { SqliteEventLog } from './adapters/sqlite/event-log.sqlite.js';
import { QualityFlusher } from './modules/quality/quality-flusher.js';
import { QualityService } from './modules/quality/quality.service.js';
import { QualityTally } from './modules/quality/quality-tally.js';
import { TrackingPlansService } from './modules/quality/tracking-plans.service.js';
import type { Clock } from './platform/clock.js';

/**
 * Data quality: tracking plans (checked by an ingest step), the tally of ingest outcomes and
 * its flusher, and the report service.
 */
export function qualityServices(w: {
  db: SqliteDatabase;
  stateDb: SqliteDatabase;
  eventLog: Pick<SqliteEventLog, 'addQualityCounts'>;
  sourceExists(id: string): Promise<boolean>;
  clock: Clock;
  log: FastifyBaseLogger;
}) {
  const store = new SqliteQualityStore(w.db);
  const plans = new TrackingPlansService(store, (id) => w.sourceExists(id), w.clock);
  plans.load(w.log);
  const tally = new QualityTally();
  // Counts reach the database once a second: a hard crash may lose the last second of
  // counts, never events.
  // Through the log writer: a write from this thread would wait for its lock.
  const flusher = new QualityFlusher(
    tally,
    { addCounts: (outcomes, fields) => w.eventLog.addQualityCounts(outcomes, fields) },
    w.log,
    1000,
  );
  const quality = new QualityService({
    store,
    identity: new SqliteIdentityQualityStore(w.stateDb),
    clock: w.clock,
    flushPending: () => flusher.flush(),
  });
  return { plans, tally, flusher, quality };
}
