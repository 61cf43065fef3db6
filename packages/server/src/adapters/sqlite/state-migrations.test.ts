import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from './migrations.js';
import { stateMigrations } from './state-migrations.js';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
});
afterEach(() => db.close());

/** Applies the state migrations before the last `skipLast`, as an older Attune left them. */
function migrateUpTo(skipLast: number): void {
  const upTo = stateMigrations.length - skipLast;
  for (const sql of stateMigrations.slice(0, upTo)) db.exec(sql);
  db.pragma(`user_version = ${upTo}`);
}

describe('state.db migrations', () => {
  it('moves profiles to a rowid table keeping every row and column', () => {
    migrateUpTo(2);
    const insert = db.prepare(
      `INSERT INTO profiles (id, first_seen, last_seen, event_count, traits, computed,
         recent_events, trails, segments) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const big = JSON.stringify({ t: Array.from({ length: 300 }, (_, i) => 1_790_000_000_000 + i) });
    insert.run('p_2', 5, 9, 3, '{"values":{}}', '{"activity":{}}', '[7,8]', big, '{"m":{}}');
    insert.run('p_1', 1, 2, 1, '{}', '{}', '[]', '{}', '{"m":{"s":[1,2]},"t":null}');
    const before = db.prepare('SELECT * FROM profiles ORDER BY id').all();
    // Before: WITHOUT ROWID, so there is no rowid to select.
    expect(() => db.prepare('SELECT rowid FROM profiles').all()).toThrow(/rowid/);

    migrate(db, 'state');

    expect(db.pragma('user_version', { simple: true })).toBe(stateMigrations.length);
    expect(db.prepare('SELECT * FROM profiles ORDER BY id').all()).toEqual(before);
    expect(db.prepare('SELECT count(rowid) FROM profiles').pluck().get()).toBe(2);
    // The id is still the primary key: a second row with it is refused.
    expect(() => insert.run('p_1', 1, 1, 1, '{}', '{}', '[]', '{}', '{}')).toThrow(/UNIQUE/);
  });

  it('sums the recorded changes into hourly size deltas and drops the per-change index', () => {
    migrateUpTo(1);
    const h = 3_600_000;
    const insert = db.prepare(
      `INSERT INTO segment_changes (segment_id, version, profile_id, entered, at, event_offset)
       VALUES (?, 1, ?, ?, ?, NULL)`,
    );
    insert.run('vip', 'a', 1, 5 * h + 10);
    insert.run('vip', 'b', 1, 5 * h + 20);
    insert.run('vip', 'a', 0, 5 * h + 30);
    insert.run('vip', 'a', 1, 7 * h);
    insert.run('new', 'c', 1, 5 * h);
    insert.run('gone', 'c', 1, 6 * h);
    insert.run('gone', 'c', 0, 6 * h + 1);

    migrate(db, 'state');

    expect(
      db
        .prepare('SELECT segment_id, hour, delta FROM segment_size_deltas ORDER BY 1, 2')
        .raw()
        .all(),
    ).toEqual([
      ['gone', 6, 0],
      ['new', 5, 1],
      ['vip', 5, 1],
      ['vip', 7, 1],
    ]);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'segment_changes'",
      )
      .pluck()
      .all();
    expect(indexes).toEqual(['segment_changes_profile_segment']);
  });
});
