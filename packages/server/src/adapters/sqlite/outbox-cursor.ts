import type { SqliteDatabase } from './open-database.js';

/** The one-row tables that say how far an outbox's records have come back through the log. */
export type OutboxCursorTable =
  'merge_events_logged' | 'segment_events_logged' | 'stage_events_logged';

/** Moves the cursor forward to `seq` (never back). */
export function advanceOutboxCursor(
  db: SqliteDatabase,
  table: OutboxCursorTable,
  seq: number,
): void {
  db.prepare(
    `INSERT INTO ${table} (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = max(seq, excluded.seq)`,
  ).run(seq);
}
