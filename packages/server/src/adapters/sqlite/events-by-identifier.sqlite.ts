import type { SqliteDatabase } from './open-database.js';

/**
 * The offsets of events whose userId or anonymousId column holds one of the given values.
 * The one place that knows how identifiers sit in the events table: when those columns hold
 * pseudonyms (PII protection), callers pass pseudonyms instead of values — nothing else
 * changes. A full scan of the two columns (no index: it would slow every append on the
 * ingest path for the sake of rare erasures).
 */
export function eventsCarryingIdentifiers(
  db: SqliteDatabase,
  columns: { userIds: readonly string[]; anonymousIds: readonly string[] },
  afterOffset = 0,
): number[] {
  if (columns.userIds.length === 0 && columns.anonymousIds.length === 0) return [];
  return db
    .prepare(
      `SELECT seq FROM events
       WHERE seq > ? AND (user_id IN (SELECT value FROM json_each(?))
          OR anonymous_id IN (SELECT value FROM json_each(?)))`,
    )
    .pluck()
    .all(
      afterOffset,
      JSON.stringify(columns.userIds),
      JSON.stringify(columns.anonymousIds),
    ) as number[];
}
