import type { IdentityQualityCounts } from '@attune/engine';
import type { IdentityQualityStore } from '../../modules/quality/identity-quality.store.js';
import type { SqliteDatabase } from './open-database.js';

/**
 * Identity quality from state.db: conflicts by the time of the event that caused them, and
 * refused identifiers from `identifier_issues` (hourly counts by arrival the processor keeps).
 */
export class SqliteIdentityQualityStore implements IdentityQualityStore {
  private readonly conflicts;
  private readonly issues;

  constructor(db: SqliteDatabase) {
    this.conflicts = db.prepare(
      `SELECT reason, count(*) AS count FROM identity_conflicts
       WHERE event_time >= ? AND event_time < ? GROUP BY reason ORDER BY reason`,
    );
    this.issues = db.prepare(
      `SELECT type, reason, sum(count) AS count FROM identifier_issues
       WHERE hour >= ? AND hour < ? GROUP BY type, reason ORDER BY type, reason`,
    );
  }

  counts(from: number, to: number): IdentityQualityCounts {
    return {
      conflicts: this.conflicts.all(from, to) as { reason: string; count: number }[],
      invalidIdentifiers: this.issues.all(from, to) as {
        type: string;
        reason: string;
        count: number;
      }[],
    };
  }
}
