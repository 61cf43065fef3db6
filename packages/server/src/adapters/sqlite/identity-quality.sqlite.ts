import type { IdentityQualityCounts } from '@attune/engine';
import type { IdentityQualityStore } from '../../modules/quality/identity-quality.store.js';
import type { SqliteDatabase } from './open-database.js';

/**
 * Identity quality from state.db: conflicts by the time of the event that caused them, and
 * refused identifiers from `identifier_issues` (hourly counts the processor keeps). A table
 * that does not exist (yet) reads as no rows.
 */
export class SqliteIdentityQualityStore implements IdentityQualityStore {
  constructor(private readonly db: SqliteDatabase) {}

  counts(from: number, to: number): IdentityQualityCounts {
    const conflicts = this.hasTable('identity_conflicts')
      ? (this.db
          .prepare(
            `SELECT reason, count(*) AS count FROM identity_conflicts
             WHERE event_time >= ? AND event_time < ? GROUP BY reason`,
          )
          .all(from, to) as { reason: string; count: number }[])
      : [];
    const invalidIdentifiers = this.hasTable('identifier_issues')
      ? (this.db
          .prepare(
            `SELECT type, reason, sum(count) AS count FROM identifier_issues
             WHERE hour >= ? AND hour < ? GROUP BY type, reason`,
          )
          .all(from, to) as { type: string; reason: string; count: number }[])
      : [];
    return { conflicts, invalidIdentifiers };
  }

  private hasTable(name: string): boolean {
    return (
      this.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !==
      undefined
    );
  }
}
