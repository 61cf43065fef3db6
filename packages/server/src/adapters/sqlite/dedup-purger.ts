import type { SqliteDatabase } from './open-database.js';

const chunkSize = 5000;

interface PurgeRow {
  seq: number;
  source_id: string;
  message_id: string;
  received_at: number;
}

/**
 * Removes dedup entries older than the window. Walks the log in offset order (events are
 * appended in receive order) instead of scanning the dedup table, remembering how far it
 * got in `meta`, so each run is a bounded amount of indexed work.
 */
export function dedupPurger(db: SqliteDatabase, windowMs: number) {
  const readMark = db.prepare(`SELECT value FROM meta WHERE key = 'dedup_purged_through'`).pluck();
  const writeMark = db.prepare(
    `INSERT INTO meta (key, value) VALUES ('dedup_purged_through', ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
  );
  const nextEvents = db.prepare(
    `SELECT seq, source_id, message_id, received_at FROM events WHERE seq > ? ORDER BY seq LIMIT ${chunkSize}`,
  );
  const forget = db.prepare(
    `DELETE FROM event_dedup WHERE source_id = ? AND message_id = ? AND received_at < ?`,
  );

  const purgeChunk = db.transaction((cutoff: number): number => {
    const from = Number(readMark.get() ?? 0);
    const rows = nextEvents.all(from) as PurgeRow[];
    let purged = 0;
    for (const row of rows) {
      if (row.received_at >= cutoff) break;
      forget.run(row.source_id, row.message_id, cutoff);
      purged++;
    }
    if (purged > 0) writeMark.run(String((rows[purged - 1] as PurgeRow).seq));
    return purged;
  });

  return {
    /** Purges one chunk at a time until caught up or `shouldYield` says appends are waiting. */
    runSome(shouldYield: () => boolean, now = Date.now()): number {
      let purged = 0;
      for (;;) {
        const n = purgeChunk(now - windowMs);
        purged += n;
        if (n < chunkSize || shouldYield()) return purged;
      }
    },
  };
}
