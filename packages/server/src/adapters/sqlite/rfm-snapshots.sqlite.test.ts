import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteRfmSnapshotsStore } from './rfm-snapshots.sqlite.js';

const breakpoints = {
  recency: [4.2, 11, 32.6, 45],
  frequency: [1, 1, 2, 3],
  monetary: [18.000000000000007, 56, 80, 264.2],
};

let dir: string;
let db: SqliteDatabase;
let store: SqliteRfmSnapshotsStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-rfm-'));
  db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  store = new SqliteRfmSnapshotsStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the RFM snapshots store', () => {
  it('has no snapshot at first', () => {
    expect(store.latest()).toBeUndefined();
    expect(store.list(10)).toEqual([]);
  });

  it('numbers versions from 1, keeps every one, and gives back the numbers exactly', () => {
    const first = store.save({ computedAt: 100, customers: 7, breakpoints });
    expect(first).toEqual({ version: 1, computedAt: 100, customers: 7, breakpoints });
    const moved = { ...breakpoints, frequency: [1, 2, 2, 4] };
    const second = store.save({ computedAt: 200, customers: 9, breakpoints: moved });
    expect(second.version).toBe(2);
    expect(store.latest()).toEqual(second);
    expect(store.list(10)).toEqual([second, first]);
    expect(store.list(1)).toEqual([second]);
  });

  it('survives a reopen (attune.db holds it)', () => {
    store.save({ computedAt: 100, customers: 7, breakpoints });
    db.close();
    db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
    expect(new SqliteRfmSnapshotsStore(db).latest()).toMatchObject({ version: 1, breakpoints });
  });
});
