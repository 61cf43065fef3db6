import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJourneyMapDefinitionStore } from './journey-map.sqlite.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteRfmSnapshotsStore } from './rfm-snapshots.sqlite.js';

// Stores that read, then write, in one transaction on attune.db, where the log writer thread
// commits all the time. A commit by that other connection between the read and the write
// must not fail the request (a deferred transaction would: SQLITE_BUSY on the upgrade).
let dir: string;
let db: SqliteDatabase;
let writer: Database.Database;
const writerResults: string[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-read-write-'));
  db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  db.exec('CREATE TABLE scratch (x INTEGER)');
  writer = new Database(join(dir, 'attune.db'));
  writer.pragma('busy_timeout = 0');
  writerResults.length = 0;
});
afterEach(() => {
  writer.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What the log writer does meanwhile: commit (or find the file locked, and retry later). */
function otherConnectionCommits(): void {
  try {
    writer.prepare('INSERT INTO scratch (x) VALUES (1)').run();
    writerResults.push('committed');
  } catch (error) {
    writerResults.push((error as { code?: string }).code ?? 'error');
  }
}

describe('read-then-write transactions beside the log writer', () => {
  it('journey map: a new version is stored although another connection writes meanwhile', () => {
    const store = new SqliteJourneyMapDefinitionStore(db);
    const read = store.get.bind(store);
    store.get = () => {
      const found = read();
      otherConnectionCommits();
      return found;
    };
    const stages = [
      { name: 'awareness', condition: { type: 'not', condition: { type: 'or', conditions: [] } } },
    ];
    expect(store.put(stages as never, 1).version).toBe(1);
    expect(store.put(stages as never, 2).version).toBe(2);
    // The other connection waited for the lock instead of invalidating the read.
    expect(writerResults).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
  });

  it('RFM snapshots: a new version is stored although another connection writes meanwhile', () => {
    const store = new SqliteRfmSnapshotsStore(db);
    const latest = store.latest.bind(store);
    store.latest = () => {
      const found = latest();
      otherConnectionCommits();
      return found;
    };
    const snapshot = {
      computedAt: 1,
      customers: 0,
      breakpoints: { recency: [1, 2, 3, 4], frequency: [1, 2, 3, 4], monetary: [1, 2, 3, 4] },
    };
    expect(store.save(snapshot).version).toBe(1);
    expect(store.save(snapshot).version).toBe(2);
    expect(writerResults).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
  });
});
