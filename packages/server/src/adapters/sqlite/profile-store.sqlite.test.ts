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

describe('profile rows', () => {
  it('keep trails and segment state exactly across a save and a load', () => {
    const p = profile('p_1', 2);
    p.trails = {
      tabc: { count: 3, first: 1_790_000_000_000, last: 1_790_000_500_000, recent: [5, 6] },
      'key "quoted" \\ é': { count: 1, first: 7, last: 7, recent: [] },
      // An empty trail is not stored: it loads as missing, which reads as empty.
      tempty: { count: 0, first: null, last: null, recent: [] },
    };
    p.segments = {
      members: {
        'vip-"1"': { version: 2, since: 1_790_000_000_123 },
        s2: { version: 1, since: 9 },
      },
      timer: 1_790_000_999_000,
      stage: 'consideration',
      rebuild: ['tabc', 'x"y'],
    };
    store.save(p);
    const { tempty: _, ...stored } = p.trails;
    expect(store.load('p_1')).toEqual({ ...p, trails: stored });

    p.segments = { members: {}, timer: null };
    p.trails = {};
    store.save(p);
    expect(store.load('p_1')).toEqual(p);
  });

  it('rewrites the encrypted columns only when traits or computed values changed', () => {
    store = new SqliteProfileStore(db, testCipher(), 100);
    const columns = db.prepare('SELECT traits, computed, trails FROM profiles WHERE id = ?');
    const p = profile('p_1', 1);
    p.traits = { values: { email: 'ann@example.com', plan: 'pro' }, times: { email: 1, plan: 1 } };
    store.save(p);
    const first = columns.get('p_1') as { traits: string; computed: string; trails: string };
    expect(first.traits).not.toContain('ann@example.com');

    // Another store (as after a restart): nothing remembered of the first save.
    store = new SqliteProfileStore(db, testCipher(), 100);
    const loaded = store.load('p_1') as ProfileData;
    loaded.trails = { t1: { count: 1, first: 5, last: 5, recent: [] } };
    store.save(loaded);
    const second = columns.get('p_1') as typeof first;
    // Same ciphertext (a new seal would have a fresh IV); the trails were written.
    expect(second.traits).toBe(first.traits);
    expect(second.computed).toBe(first.computed);
    expect(second.trails).not.toBe(first.trails);

    loaded.traits.values['plan'] = 'gold';
    store.save(loaded);
    const third = columns.get('p_1') as typeof first;
    expect(third.traits).not.toBe(first.traits);
    expect(store.load('p_1')?.traits.values).toEqual({ email: 'ann@example.com', plan: 'gold' });

    loaded.computed.aggregates['orders'] = { count: 7 };
    store.save(loaded);
    expect(store.load('p_1')?.computed.aggregates['orders']).toEqual({ count: 7 });

    // Removed (merged away) and saved again: inserted whole, not lost.
    store.remove('p_1');
    store.save(loaded);
    expect(store.load('p_1')).toEqual(loaded);
  });

  it('without a cache, seals the encrypted columns on every save', () => {
    const columns = db.prepare('SELECT traits FROM profiles WHERE id = ?').pluck();
    const p = profile('p_1', 1);
    p.traits = { values: { email: 'ann@example.com' }, times: { email: 1 } };
    store.save(p);
    const first = columns.get('p_1');
    const loaded = store.load('p_1') as ProfileData;
    loaded.traits.values['email'] = 'bob@example.com';
    store.save(loaded);
    expect(columns.get('p_1')).not.toBe(first);
    expect(store.load('p_1')?.traits.values).toEqual({ email: 'bob@example.com' });
  });
});

describe("the processor store's cache", () => {
  const cachedStore = () => new SqliteProfileStore(db, testCipher(), 4);

  it('hands out a fresh copy on every load: a change not saved is not kept', () => {
    store = cachedStore();
    store.save(profile('p_1', 1));
    const loaded = store.load('p_1') as ProfileData;
    loaded.eventCount = 99;
    loaded.traits.values['plan'] = 'gold';
    loaded.trails['t1'] = { count: 1, first: 5, last: 5, recent: [5] };
    expect(store.load('p_1')).toEqual(profile('p_1', 1));
  });

  it('loads what the rows hold when entries were evicted, and forgets a removed profile', () => {
    store = cachedStore();
    for (let i = 1; i <= 10; i++) store.save(profile(`p_${i}`, i));
    const reader = new SqliteProfileStore(db, testCipher());
    for (let i = 1; i <= 10; i++) expect(store.load(`p_${i}`)).toEqual(reader.load(`p_${i}`));
    store.remove('p_10');
    expect(store.load('p_10')).toBeUndefined();
  });

  it('after a rollback and discardCache, loads what the database holds', () => {
    store = cachedStore();
    store.save(profile('p_1', 1));
    const failing = db.transaction(() => {
      const p = store.load('p_1') as ProfileData;
      p.eventCount = 42;
      p.traits.values['plan'] = 'gold';
      store.save(p);
      store.save(profile('p_2', 2));
      throw new Error('a later step failed');
    });
    expect(failing).toThrow('a later step failed');
    store.discardCache();
    expect(store.load('p_1')).toEqual(profile('p_1', 1));
    expect(store.load('p_2')).toBeUndefined();
    // The encrypted columns are written again after the rollback, not skipped as "unchanged".
    const p = store.load('p_1') as ProfileData;
    p.traits.values['plan'] = 'gold';
    store.save(p);
    expect(new SqliteProfileStore(db, testCipher()).load('p_1')?.traits.values).toEqual({
      plan: 'gold',
    });
  });
});
