import { describe, expect, it } from 'vitest';
import { openDatabase } from './open-database.js';
import { readServedSince } from './served-decisions.sqlite.js';

function logWith(events: { event: string; receivedAt: number; variantId?: string }[]) {
  const db = openDatabase(':memory:', { schema: 'log' });
  const insert = db.prepare(
    `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp,
       received_at, message) VALUES ('s', ?, 'track', ?, NULL, 'anon', ?, ?, ?)`,
  );
  events.forEach((e, i) =>
    insert.run(
      `m${i}`,
      e.event,
      e.receivedAt,
      e.receivedAt,
      JSON.stringify({
        properties: { placement: 'hero', variantId: e.variantId ?? 'v', ruleId: 'r' },
      }),
    ),
  );
  return db;
}

describe('readServedSince', () => {
  it('reads the Decision Served events received since the instant, oldest first', () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      event: i % 3 === 0 ? 'Decision Served' : 'Page Viewed',
      receivedAt: i * 10,
      variantId: `v${i}`,
    }));
    const db = logWith(events);
    for (const since of [0, 5, 10, 4990, 5000, 9990, 10_000]) {
      const expected = events
        .filter((e) => e.event === 'Decision Served' && e.receivedAt >= since)
        .map((e) => e.variantId);
      expect([...readServedSince(db, since)].map((s) => s.variantId)).toEqual(expected);
    }
    const [first] = readServedSince(db, 0);
    expect(first).toEqual({
      userId: null,
      anonymousId: 'anon',
      placement: 'hero',
      variantId: 'v0',
      ruleId: 'r',
      at: 0,
    });
  });

  it('reads nothing from an empty log', () => {
    expect([...readServedSince(logWith([]), 0)]).toEqual([]);
  });
});
