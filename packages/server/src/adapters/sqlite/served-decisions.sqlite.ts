import type { ServedImpression } from '../../modules/decisions/frequency-caps.js';
import { firstOffsetReceivedSince } from './offset-received-since.js';
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
 * frequency caps to count again at start: only the log's window since then is scanned.
 */
export function* readServedSince(db: SqliteDatabase, since: number): Generator<ServedImpression> {
  const from = firstOffsetReceivedSince(db, since);
  const served = db
    .prepare(
      `SELECT user_id, anonymous_id, timestamp, message ->> '$.properties.placement',
         message ->> '$.properties.variantId', message ->> '$.properties.ruleId'
       FROM events WHERE seq >= ? AND type = 'track' AND event = 'Decision Served' ORDER BY seq`,
    )
    .raw();
  for (const row of served.iterate(from) as Iterable<ServedRow>) {
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
