import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { SqliteDatabase } from './adapters/sqlite/open-database.js';
import { SqliteRetentionStore } from './adapters/sqlite/retention.sqlite.js';
import { pruneTimelines } from './adapters/sqlite/timeline-pruner.sqlite.js';
import type { Config } from './config/config.js';
import { retentionRulesOf } from './config/retention-rules.js';
import { RetentionSchedule } from './modules/privacy/retention-schedule.js';
import { RetentionService } from './modules/privacy/retention.service.js';
import { retentionRoutes } from './modules/privacy/retention.routes.js';
import type { Clock } from './platform/clock.js';
import type { ProcessorThread } from './workers/processor-thread.js';

/** The retention purge, its routes and its schedule (not started). */
export async function registerRetention(
  http: FastifyInstance,
  w: {
    config: Config;
    db: SqliteDatabase;
    stateDb: SqliteDatabase;
    processor: ProcessorThread | null;
    clock: Clock;
    logger: FastifyBaseLogger;
  },
) {
  const { config, processor } = w;
  const retention = new RetentionService({
    store: new SqliteRetentionStore(w.db),
    rules: retentionRulesOf(config),
    defaultDays: config.retention.defaultDays,
    intervalMinutes: config.retention.intervalMinutes,
    // With the processor off this thread owns the state file.
    pruneTimelines: (offsets) =>
      processor === null
        ? Promise.resolve(pruneTimelines(w.stateDb, offsets))
        : processor.pruneTimelines(offsets),
    clock: w.clock,
  });
  await http.register(retentionRoutes, { retention });
  const retentionSchedule =
    config.retention.intervalMinutes === 0
      ? null
      : new RetentionSchedule({
          retention,
          intervalMs: config.retention.intervalMinutes * 60_000,
          logger: w.logger,
        });
  return { retention, retentionSchedule };
}
