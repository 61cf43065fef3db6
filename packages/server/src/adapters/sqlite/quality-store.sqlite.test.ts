import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QualityFlusher } from '../../modules/quality/quality-flusher.js';
import { QualityTally } from '../../modules/quality/quality-tally.js';
import { SqliteIdentityQualityStore } from './identity-quality.sqlite.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteQualityStore } from './quality-store.sqlite.js';

const hour = 3_600_000;
const t0 = Date.UTC(2026, 10, 23, 10);
const silent = { error: () => undefined };

let dir: string;
let db: SqliteDatabase;
let store: SqliteQualityStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-quality-'));
  db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  db.prepare('INSERT INTO sources (id, name, created_at) VALUES (?, ?, ?)').run('web', 'web', 0);
  store = new SqliteQualityStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const key = (receivedAt: number, event = 'Order Completed') => ({
  receivedAt,
  sourceId: 'web',
  type: 'track',
  event,
});

describe('the quality counts', () => {
  it('sum per hour in memory, add up in the database, and are read back per range', async () => {
    const tally = new QualityTally();
    const flusher = new QualityFlusher(tally, store, silent, 60_000);
    tally.count(key(t0 + 5), 'accepted', 'conforms');
    tally.count(key(t0 + 10), 'accepted', 'conforms', 2);
    tally.count(key(t0 + hour + 1), 'rejected', 'tracking_plan_violation');
    tally.fieldIssues(key(t0 + 1), [{ field: '/properties/revenue', problem: 'invalid' }]);
    await flusher.flush();
    expect(tally.pending).toBe(0);
    tally.count(key(t0 + 20), 'accepted', 'conforms');
    tally.fieldIssues(key(t0 + 2), [
      { field: '/properties/revenue', problem: 'invalid' },
      { field: '/properties/currency', problem: 'missing' },
    ]);
    await flusher.stop();

    expect(store.outcomes({ from: t0, to: t0 + 2 * hour })).toEqual(
      expect.arrayContaining([
        {
          sourceId: 'web',
          type: 'track',
          event: 'Order Completed',
          outcome: 'accepted',
          reason: 'conforms',
          count: 4,
        },
        {
          sourceId: 'web',
          type: 'track',
          event: 'Order Completed',
          outcome: 'rejected',
          reason: 'tracking_plan_violation',
          count: 1,
        },
      ]),
    );
    expect(store.outcomes({ from: t0 + hour, to: t0 + 2 * hour })).toHaveLength(1);
    expect(store.outcomes({ from: t0, to: t0 + 2 * hour, sourceId: 'app' })).toEqual([]);
    expect(store.fields({ from: t0, to: t0 + hour })).toEqual(
      expect.arrayContaining([
        {
          sourceId: 'web',
          type: 'track',
          event: 'Order Completed',
          field: '/properties/revenue',
          missing: 0,
          invalid: 2,
        },
        {
          sourceId: 'web',
          type: 'track',
          event: 'Order Completed',
          field: '/properties/currency',
          missing: 1,
          invalid: 0,
        },
      ]),
    );
  });

  it.each([
    ['a write here throws', false],
    ['a write on the writer thread is refused', true],
  ])('keeps the counts when %s, for the next flush', async (_name, later) => {
    const tally = new QualityTally();
    const errors: unknown[] = [];
    let fail = true;
    const flusher = new QualityFlusher(
      tally,
      {
        addCounts: (outcomes, fields) => {
          const write = () => {
            if (fail) throw new Error('disk full');
            store.addCounts(outcomes, fields);
          };
          if (!later) return write();
          return Promise.resolve().then(write);
        },
      },
      { error: (details) => errors.push(details) },
      60_000,
    );
    tally.count(key(t0), 'accepted', '', 3);
    tally.fieldIssues(key(t0), [{ field: '/properties/x', problem: 'missing' }]);
    await flusher.flush();
    expect(errors).toHaveLength(1);
    tally.count(key(t0), 'accepted', '', 1);
    fail = false;
    await flusher.stop();
    expect(store.outcomes({ from: t0, to: t0 + hour })[0]?.count).toBe(4);
    expect(store.fields({ from: t0, to: t0 + hour })[0]?.missing).toBe(1);
  });
});

describe('tracking plans', () => {
  it('are versioned per source and deleted', () => {
    const plan = { mode: 'flag' as const, events: { X: { type: 'object' } } };
    expect(store.putPlan('web', plan, 1)).toEqual({
      sourceId: 'web',
      plan,
      version: 1,
      updatedAt: 1,
    });
    expect(store.putPlan('web', { ...plan, mode: 'reject' }, 2)).toMatchObject({
      version: 2,
      updatedAt: 2,
    });
    expect(store.listPlans().map((p) => p.plan.mode)).toEqual(['reject']);
    expect(store.deletePlan('web')).toBe(true);
    expect(store.deletePlan('web')).toBe(false);
    expect(store.getPlan('web')).toBeUndefined();
  });
});

describe('identity quality from the state database', () => {
  it('reads conflicts by event time, and identifier issues by hour', () => {
    const state = openDatabase(join(dir, 'state.db'), { schema: 'state' });
    try {
      const identity = new SqliteIdentityQualityStore(state);
      const conflict = state.prepare(
        `INSERT INTO identity_conflicts (profile_id, other_profile_id, identifier_type, identifier_value, reason, event_offset, event_time)
         VALUES ('p_1', 'p_2', 'user_id', 'x', ?, 1, ?)`,
      );
      conflict.run('limit:user_id', t0);
      conflict.run('limit:user_id', t0 + 10);
      conflict.run('limit:email', t0 + 2 * hour);
      expect(identity.counts(t0, t0 + hour)).toEqual({
        conflicts: [{ reason: 'limit:user_id', count: 2 }],
        invalidIdentifiers: [],
      });
      const issue = state.prepare('INSERT INTO identifier_issues VALUES (?, ?, ?, ?)');
      issue.run(t0, 'email', 'invalid', 3);
      issue.run(t0 + hour, 'email', 'invalid', 2);
      issue.run(t0, 'phone', 'blocked', 1);
      expect(identity.counts(t0, t0 + 2 * hour).invalidIdentifiers).toEqual(
        expect.arrayContaining([
          { type: 'email', reason: 'invalid', count: 5 },
          { type: 'phone', reason: 'blocked', count: 1 },
        ]),
      );
    } finally {
      state.close();
    }
  });
});
