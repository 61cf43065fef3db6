import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BatchedInsert } from './batched-insert.js';

function table() {
  const db = new Database(':memory:');
  db.exec(
    'CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT NOT NULL UNIQUE, n INTEGER)',
  );
  return db;
}

describe('BatchedInsert', () => {
  it('inserts whole blocks and the rest, in the order given', () => {
    const db = table();
    const insert = new BatchedInsert(db, 'INSERT INTO t (k, n) VALUES', 2, '', 4);
    const values = Array.from({ length: 11 }, (_, i) => [`k${10 - i}`, i]).flat();
    insert.run(values);
    const rows = db.prepare('SELECT k, n FROM t ORDER BY seq').raw().all();
    expect(rows).toEqual(Array.from({ length: 11 }, (_, i) => [`k${10 - i}`, i]));
    insert.run([]);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(11);
  });

  it('applies the tail (an upsert) to every row of a block', () => {
    const db = table();
    const upsert = new BatchedInsert(
      db,
      'INSERT INTO t (k, n) VALUES',
      2,
      'ON CONFLICT (k) DO UPDATE SET n = excluded.n',
      3,
    );
    upsert.run(['a', 1, 'b', 2, 'c', 3, 'd', 4]);
    upsert.run(['a', 10, 'b', 20, 'c', 30, 'd', 40, 'e', 50]);
    const rows = db.prepare('SELECT k, n FROM t ORDER BY k').raw().all();
    expect(rows).toEqual([
      ['a', 10],
      ['b', 20],
      ['c', 30],
      ['d', 40],
      ['e', 50],
    ]);
  });

  it('refuses values that are not whole rows, inserting none of them', () => {
    const db = table();
    const insert = new BatchedInsert(db, 'INSERT INTO t (k, n) VALUES', 2, '', 2);
    expect(() => insert.run(['a', 1, 'b'])).toThrow(/not whole rows of 2/);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(0);
  });
});
