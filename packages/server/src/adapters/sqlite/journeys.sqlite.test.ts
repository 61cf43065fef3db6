import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJourneyStore } from './journeys.sqlite.js';
import { openDatabase } from './open-database.js';

describe('SqliteJourneyStore cursor', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'attune-journeys-store-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips past unwanted events without leaving the connection unsynced', () => {
    const file = join(dir, 'journeys.db');
    const db = openDatabase(file, { schema: 'journeys' });
    const store = new SqliteJourneyStore(db);
    expect(store.cursor()).toBe(0);
    expect(store.anyJourney()).toBe(false);
    store.skipTo(42);
    expect(store.cursor()).toBe(42);
    // Runs and sends still commit with FULL sync (2) after a skip.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    store.transaction(() => store.setCursor(50));
    store.skipTo(77);
    store.saveVersion('welcome', '{}', 1);
    store.markDeleted('welcome', 2);
    // Deleted journeys keep their versions (runs may still finish on them).
    expect(store.anyJourney()).toBe(true);
    db.close();

    const reopened = openDatabase(file, { schema: 'journeys' });
    expect(new SqliteJourneyStore(reopened).cursor()).toBe(77);
    reopened.close();
  });
});
