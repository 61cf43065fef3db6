import type { Condition } from '@attune/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteSegmentDefinitionsStore } from './segment-definitions.sqlite.js';

const pro: Condition = { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' };
const buyer: Condition = { type: 'event', event: 'Order Completed' };

let dir: string;
let db: SqliteDatabase;
let store: SqliteSegmentDefinitionsStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-segments-'));
  db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  store = new SqliteSegmentDefinitionsStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the segment definitions store', () => {
  it('creates version 1, stores each update as the next version and keeps every version', () => {
    const created = store.create('pro', { name: 'Pro', description: null, condition: pro }, 100);
    expect(created).toEqual({
      id: 'pro',
      name: 'Pro',
      description: null,
      version: 1,
      condition: pro,
      createdAt: 100,
      updatedAt: 100,
      deletedAt: null,
    });
    const updated = store.update(
      'pro',
      { name: 'Pro buyers', description: 'paying', condition: buyer },
      200,
    );
    expect(updated).toMatchObject({
      version: 2,
      name: 'Pro buyers',
      createdAt: 100,
      updatedAt: 200,
    });
    expect(store.get('pro')).toEqual(updated);
    expect(store.versions('pro')).toEqual([
      { version: 1, name: 'Pro', description: null, condition: pro, createdAt: 100 },
      { version: 2, name: 'Pro buyers', description: 'paying', condition: buyer, createdAt: 200 },
    ]);
  });

  it('soft-deletes: gone from the list and the active definitions, kept with its versions', () => {
    store.create('a', { name: 'A', description: null, condition: pro }, 1);
    store.create('b', { name: 'B', description: null, condition: buyer }, 2);
    expect(store.softDelete('a', 3)).toBe(true);
    expect(store.softDelete('a', 4)).toBe(false);
    expect(store.softDelete('nope', 4)).toBe(false);
    expect(store.update('a', { name: 'A', description: null, condition: buyer }, 5)).toBe(
      undefined,
    );
    expect(store.list().map((s) => s.id)).toEqual(['b']);
    expect(store.activeDefinitions().map((s) => s.id)).toEqual(['b']);
    expect(store.get('a')).toMatchObject({ deletedAt: 3, version: 1 });
    expect(store.versions('a')).toHaveLength(1);
  });

  it('gives the processor the current definitions, parsing a condition once per version', () => {
    store.create('a', { name: 'A', description: null, condition: pro }, 1);
    store.create('b', { name: 'B', description: null, condition: buyer }, 1);
    const first = store.activeDefinitions();
    expect(first).toEqual([
      { id: 'a', version: 1, condition: pro },
      { id: 'b', version: 1, condition: buyer },
    ]);
    store.update('b', { name: 'B', description: null, condition: pro }, 2);
    const second = store.activeDefinitions();
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toEqual({ id: 'b', version: 2, condition: pro });
  });

  it('sees a change made through another connection (the API writes, the processor reads)', () => {
    const other = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
    try {
      const processorSide = new SqliteSegmentDefinitionsStore(other);
      expect(processorSide.activeDefinitions()).toEqual([]);
      store.create('a', { name: 'A', description: null, condition: pro }, 1);
      expect(processorSide.activeDefinitions()).toEqual([{ id: 'a', version: 1, condition: pro }]);
      store.softDelete('a', 2);
      expect(processorSide.activeDefinitions()).toEqual([]);
    } finally {
      other.close();
    }
  });
});
