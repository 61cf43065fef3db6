import type { SqliteDatabase } from './open-database.js';

/**
 * The first offset of an event received at or after `time` (one past the last when none
 * is). The log has no index on time, but `received_at` is stamped on arrival, in append
 * order, so it grows with the offset (up to a little slack across concurrent requests)
 * and a binary search over offsets finds it.
 */
export function firstOffsetReceivedSince(db: SqliteDatabase, time: number): number {
  const next = db
    .prepare('SELECT seq, received_at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1')
    .raw();
  const last = Number(db.prepare('SELECT max(seq) FROM events').pluck().get() ?? 0);
  let lo = 0;
  let hi = last + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = next.get(mid) as [number, number] | undefined;
    if (row === undefined || row[1] >= time) hi = mid;
    else lo = row[0] + 1;
  }
  return lo;
}
