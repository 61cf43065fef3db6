import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProfileData } from '../../modules/profiles/profile.store.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteProfileStore } from './profile-store.sqlite.js';
import { testCipher } from '../../testing/test-cipher.js';

let dir: string;
let db: SqliteDatabase;
let store: SqliteProfileStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-profile-store-'));
  db = openDatabase(join(dir, 'state.db'), { schema: 'state' });
  store = new SqliteProfileStore(db, testCipher());
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function profile(id: string, orders: number): ProfileData {
  return {
    id,
    firstSeen: 1,
    lastSeen: 2,
    eventCount: orders,
    traits: { values: { plan: 'pro' }, times: { plan: 1 } },
    computed: {
      activity: { 'Order Completed': { count: orders, first: 1, last: 2 } },
      aggregates: { orders: { count: orders } },
    },
    recentEvents: [1, 2],
    trails: {},
    segments: { members: {}, timer: null },
  };
}

describe('the SQLite profile store', () => {
  it('computedAfter pages ids and computed data in id order', () => {
    for (const [id, n] of [
      ['p_3', 3],
      ['p_1', 1],
      ['p_2', 2],
    ] as const)
      store.save(profile(id, n));
    const first = store.computedAfter('', 2);
    expect(first).toEqual([
      { id: 'p_1', computed: profile('p_1', 1).computed },
      { id: 'p_2', computed: profile('p_2', 2).computed },
    ]);
    expect(store.computedAfter('p_2', 2)).toEqual([
      { id: 'p_3', computed: profile('p_3', 3).computed },
    ]);
    expect(store.computedAfter('p_3', 2)).toEqual([]);
    store.remove('p_2');
    expect(store.computedAfter('', 10).map((p) => p.id)).toEqual(['p_1', 'p_3']);
  });
});
