import type { TrailSpec } from '@attune/engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventReader } from '../adapters/sqlite/event-reader.sqlite.js';
import { openDatabase, type SqliteDatabase } from '../adapters/sqlite/open-database.js';
import { SqliteProfileStore } from '../adapters/sqlite/profile-store.sqlite.js';
import { chunkReader } from '../modules/segments/backfill-read-ahead.js';
import { forEachHit, trailHitsReader } from '../modules/segments/trail-hits.js';
import { testCipher, testKeyring } from '../testing/test-cipher.js';
import { TrailReaderThread } from './trail-reader-thread.js';

let dir: string;
let db: SqliteDatabase;
let stateDb: SqliteDatabase;
const cipher = testCipher();

const spec = (key: string, event: string, where: TrailSpec['where'] = []): TrailSpec => ({
  key,
  event,
  where,
  from: null,
  to: null,
  keep: 0,
});
const specs = [
  spec('viewed', 'Product Viewed'),
  spec('outdoor', 'Product Viewed', [{ property: 'category', op: 'eq', value: 'outdoor' }]),
  // Matches only when the thread decrypts the property it was stored with.
  spec('ann', 'Order Completed', [{ property: 'email', op: 'eq', value: 'ann@example.com' }]),
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-trail-reader-'));
  db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  const insert = db.prepare(
    `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp,
       original_timestamp, sent_at, received_at, message)
     VALUES ('web', ?, ?, ?, 'u', NULL, ?, NULL, NULL, ?, ?)`,
  );
  for (let i = 1; i <= 300; i++) {
    const event = ['Product Viewed', 'Order Completed', 'Cart Viewed'][i % 3] as string;
    const email = i % 2 === 0 ? 'ann@example.com' : 'bob@example.com';
    const properties = {
      category: i % 4 === 0 ? 'outdoor' : 'shoes',
      email: cipher.encryptLeaf(email),
    };
    const message = { type: 'track', event, userId: 'u', properties };
    insert.run(`m${i}`, 'track', event, 1000 + i, 1000 + i, JSON.stringify(message));
  }
  // Three profiles, each with a stored timeline chunk and recent offsets.
  stateDb = openDatabase(join(dir, 'state.db'), { schema: 'state' });
  const profiles = new SqliteProfileStore(stateDb, cipher);
  for (const [n, id] of ['p_a', 'p_b', 'p_c'].entries()) {
    const mine = Array.from({ length: 100 }, (_, i) => 3 * i + n + 1);
    profiles.appendTimeline(id, mine.slice(0, 60));
    profiles.save({
      id,
      firstSeen: 0,
      lastSeen: 0,
      eventCount: 100,
      traits: { values: {}, times: {} },
      computed: { activity: {}, aggregates: {} },
      recentEvents: mine.slice(60),
      trails: {},
      segments: { members: {}, timer: null },
    });
  }
});
afterAll(() => {
  stateDb.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the trail reader thread', () => {
  it("lists the next profiles' offsets and finds the same hits as this thread, and stops", async () => {
    const here = chunkReader(
      new SqliteProfileStore(stateDb, cipher),
      trailHitsReader((o, e, w) => new SqliteEventReader(db, cipher).readTracks(o, e, w)),
    );
    const thread = TrailReaderThread.start({
      logFile: join(dir, 'attune.db'),
      stateFile: join(dir, 'state.db'),
      keyring: testKeyring().secrets(),
      pii: {},
    });
    try {
      const [there, last] = await Promise.all([
        thread.readAhead('', 2, specs),
        thread.readAhead('p_b', 2, specs),
      ]);
      const expected = await here('', 2, specs);
      expect(Array.from(there.offsets).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 300 }, (_, i) => i + 1).filter((o) => o % 3 !== 0),
      );
      expect([...there.hits]).toEqual([...expected.hits]);
      const bySpec: Record<string, number[]> = {};
      forEachHit(there.hits, (offset, _, i) => (bySpec[specs[i]?.key ?? '?'] ??= []).push(offset));
      // p_a and p_b hold offsets 1 and 2 mod 3: none of the views (0 mod 3), all orders.
      expect(bySpec['viewed']).toBeUndefined();
      // Orders are at 1 mod 3; ann's are the even ones.
      expect(bySpec['ann']).toEqual(
        Array.from({ length: 300 }, (_, i) => i + 1).filter((o) => o % 3 === 1 && o % 2 === 0),
      );
      // p_c holds 3, 6, …: views, some outdoor (a multiple of 4), and ann's none.
      const listed: number[][] = [];
      forEachHit(last.hits, (offset, timestamp, i) => listed.push([offset, timestamp, i]));
      expect(listed.filter(([, , i]) => i === 0)).toHaveLength(100);
      expect(listed.filter(([, , i]) => i === 1).map(([o]) => o)).toEqual(
        Array.from({ length: 25 }, (_, i) => 12 * (i + 1)),
      );
      expect(listed[0]).toEqual([3, 1003, 0]);
    } finally {
      await thread.stop();
    }
    await expect(thread.readAhead('', 2, specs)).rejects.toThrow('exited');
  });
});
