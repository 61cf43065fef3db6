import type Database from 'better-sqlite3';
import { logMigrations } from './log-migrations.js';
import { journeysMigrations } from './journeys-migrations.js';
import { stateMigrations } from './state-migrations.js';

/**
 * Schema migrations of the two database files, applied in order and recorded in
 * `user_version`. Append only: a released migration is never edited.
 *
 * Two files, because SQLite allows one writer per file: the log writer commits nearly
 * back to back under load, and the processor, writing to the same file, would starve
 * waiting for the lock. `attune.db` holds the log and primary data (sources, keys);
 * `state.db` holds derived state with the processor offsets, so it is rebuilt by deleting
 * it and replaying the log. `journeys.db` (journeys-migrations.ts) holds journey runs.
 */
export type Schema = 'log' | 'state' | 'journeys';

const migrationsOf: Record<Schema, string[]> = {
  log: logMigrations,
  state: stateMigrations,
  journeys: journeysMigrations,
};

export function migrate(db: Database.Database, schema: Schema): void {
  const migrations = migrationsOf[schema];
  // Each step reads the version inside its own write transaction, so two processes starting
  // on the same file (server and CLI) never apply a migration twice.
  const step = db.transaction((): boolean => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > migrations.length) {
      throw new Error(
        `The database schema (version ${current}) is newer than this Attune (version ${migrations.length}); upgrade Attune.`,
      );
    }
    if (current === migrations.length) return false;
    db.exec(migrations[current] as string);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // apply the next migration
  }
}
