import type { ServedImpression } from '../../modules/decisions/frequency-caps.js';
import type { SqliteDatabase } from './open-database.js';

type ServedRow = [
  userId: string | null,
  anonymousId: string | null,
  timestamp: number,
  placement: unknown,
  variantId: unknown,
  ruleId: unknown,
];

/**
 * The `Decision Served` events received since `since` (epoch ms), oldest first, for the
 * frequency caps to count again at start. The log has no index on time, but `received_at`
 * grows with `seq` (it is stamped on arrival, in append order), so a binary search over
 * `seq` finds where to start and only the window is scanned.
 */
export function* readServedSince(db: SqliteDatabase, since: number): Generator<ServedImpression> {
  const bounds = db.prepare('SELECT min(seq) AS lo, max(seq) AS hi FROM events').get() as {
    lo: number | null;
    hi: number | null;
  };
  if (bounds.lo === null || bounds.hi === null) return;
  const receivedAtOrAfter = db.prepare(
    'SELECT seq, received_at AS at FROM events WHERE seq >= ? ORDER BY seq LIMIT 1',
  );
  let lo = bounds.lo;
  let hi = bounds.hi + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const row = receivedAtOrAfter.get(mid) as { seq: number; at: number } | undefined;
    if (row === undefined || row.at >= since) hi = mid;
    else lo = row.seq + 1;
  }
  const served = db
    .prepare(
      `SELECT user_id, anonymous_id, timestamp, message ->> '$.properties.placement',
         message ->> '$.properties.variantId', message ->> '$.properties.ruleId'
       FROM events WHERE seq >= ? AND type = 'track' AND event = 'Decision Served' ORDER BY seq`,
    )
    .raw();
  for (const row of served.iterate(lo) as Iterable<ServedRow>) {
    const [userId, anonymousId, at, placement, variantId, ruleId] = row;
    if (typeof placement !== 'string' || typeof variantId !== 'string') continue;
    yield {
      userId,
      anonymousId,
      placement,
      variantId,
      ruleId: typeof ruleId === 'string' ? ruleId : null,
      at,
    };
  }
}
