import type { SqliteDatabase } from './open-database.js';

/**
 * Removes purged offsets from profile timelines (chunks and the recent offsets in profile
 * rows), so reads of a profile's events, previews and backfills never ask for an event that
 * is gone. Runs where the state file is written. Returns the profiles changed.
 */
export function pruneTimelines(db: SqliteDatabase, offsets: readonly number[]): number {
  if (offsets.length === 0) return 0;
  const gone = new Set(offsets);
  let low = Infinity;
  let high = -Infinity;
  for (const o of offsets) {
    if (o < low) low = o;
    if (o > high) high = o;
  }
  const touched = new Set<string>();
  db.transaction(() => {
    const chunks = db
      .prepare(
        `SELECT profile_id, last_offset, offsets FROM profile_timeline
         WHERE first_offset <= ? AND last_offset >= ?`,
      )
      .raw()
      .all(high, low) as [string, number, string][];
    const remove = db.prepare(
      'DELETE FROM profile_timeline WHERE profile_id = ? AND last_offset = ?',
    );
    const insert = db.prepare(
      'INSERT INTO profile_timeline (profile_id, last_offset, first_offset, offsets) VALUES (?, ?, ?, ?)',
    );
    for (const [profileId, last, text] of chunks) {
      const all = JSON.parse(text) as number[];
      const kept = all.filter((o) => !gone.has(o));
      if (kept.length === all.length) continue;
      touched.add(profileId);
      remove.run(profileId, last);
      if (kept.length > 0)
        insert.run(profileId, kept[kept.length - 1], kept[0], JSON.stringify(kept));
    }
    const recent = db
      .prepare(
        `SELECT id, recent_events FROM profiles WHERE EXISTS
           (SELECT 1 FROM json_each(recent_events) WHERE value BETWEEN ? AND ?)`,
      )
      .raw()
      .all(low, high) as [string, string][];
    const update = db.prepare('UPDATE profiles SET recent_events = ? WHERE id = ?');
    for (const [id, text] of recent) {
      const all = JSON.parse(text) as number[];
      const kept = all.filter((o) => !gone.has(o));
      if (kept.length === all.length) continue;
      touched.add(id);
      update.run(JSON.stringify(kept), id);
    }
  })();
  return touched.size;
}
