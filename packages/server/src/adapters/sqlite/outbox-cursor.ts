import type { OutboxName } from '../../modules/event-log/outbox-relay.js';
import type { SqliteDatabase } from './open-database.js';

/** The one-row tables that say how far an outbox's records are known to be in the log. */
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

/** Each outbox's cursor table. */
export const outboxCursorTables: Record<OutboxName, OutboxCursorTable> = {
  merges: 'merge_events_logged',
  memberships: 'segment_events_logged',
  stages: 'stage_events_logged',
};
