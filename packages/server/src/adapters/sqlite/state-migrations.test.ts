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
    migrateUpTo(1);
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
});
