import {
  recordActivity,
  rfmBreakpoints,
  rfmDefinitions,
  rfmSegmentDefinitions,
  updateComputed,
} from '@attune/engine';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteRfmSnapshotsStore } from '../../adapters/sqlite/rfm-snapshots.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import type { ComputedData } from '../profiles/profile.store.js';
import { SegmentRequestError } from '../segments/segments.service.js';
import { RfmRecomputeAborted, RfmRequestError, RfmService } from './rfm.service.js';

const day = 86_400_000;
const start = Date.UTC(2026, 10, 23);

let dir: string;
let db: SqliteDatabase;
let clock: ManualClock;
/** Profiles as the store pages them: id → computed data. */
let profiles: Map<string, ComputedData>;
let pagesRead: number;
let created: string[];
let taken: Set<string>;
let rfm: RfmService;

/** A profile with orders of these (days before `start`, revenue). */
function addProfile(id: string, orders: [number, number][]): void {
  const computed: ComputedData = { activity: {}, aggregates: {} };
  recordActivity(computed.activity, 'Page Viewed', start - day);
  for (const [daysAgo, revenue] of orders) {
    const time = start - daysAgo * day;
    recordActivity(computed.activity, 'Order Completed', time);
    updateComputed(computed.aggregates, rfmDefinitions, 'Order Completed', { revenue }, time);
  }
  profiles.set(id, computed);
}

function service(slice = 3): RfmService {
  return new RfmService({
    snapshots: new SqliteRfmSnapshotsStore(db),
    profiles: {
      computedAfter: (after, limit) => {
        pagesRead++;
        return [...profiles.keys()]
          .sort()
          .filter((id) => id > after)
          .slice(0, limit)
          .map((id) => ({ id, computed: profiles.get(id)! }));
      },
    },
    segments: {
      create: (input) => {
        if (taken.has(input.id!))
          throw new SegmentRequestError('conflict', '/id', `Segment ${input.id} already exists`);
        taken.add(input.id!);
        created.push(input.id!);
        return {} as never;
      },
    },
    clock,
    slice,
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-rfm-service-'));
  db = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
  clock = new ManualClock(start);
  profiles = new Map();
  pagesRead = 0;
  created = [];
  taken = new Set();
  for (let i = 0; i < 10; i++)
    addProfile(
      `p_${String(i).padStart(2, '0')}`,
      Array.from({ length: 1 + (i % 4) }, (_, k) => [i * 9 + k * 30, 10 + i * 7]),
    );
  addProfile('p_browser', []);
  rfm = service();
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the RFM service', () => {
  it('has nothing to serve before the first recompute', () => {
    expect(() => rfm.latest()).toThrow(RfmRequestError);
    expect(rfm.breakpoints()).toBeNull();
    expect(rfm.lastComputedAt()).toBeNull();
  });

  it('computes the breakpoints over the customers (profiles with orders) and saves version 1', async () => {
    const result = await rfm.recompute();
    const expected = rfmBreakpoints(
      [...Array(10).keys()].map((i) => ({
        recencyDays: i * 9,
        frequency: 1 + (i % 4),
        monetary: (1 + (i % 4)) * (10 + i * 7),
      })),
    );
    expect(result).toMatchObject({
      changed: true,
      profilesScanned: 11,
      snapshot: {
        version: 1,
        computedAt: new Date(start).toISOString(),
        customers: 10,
        breakpoints: expected,
      },
    });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    // 11 profiles in slices of 3: four pages.
    expect(pagesRead).toBe(4);
    expect(rfm.latest()).toEqual(result.snapshot);
    expect(rfm.breakpoints()).toEqual(expected);
  });

  it('keeps the version when the breakpoints did not move (no churn), saves one when they did', async () => {
    await rfm.recompute();
    clock.advance(3_600_000);
    const same = await rfm.recompute();
    expect(same).toMatchObject({ changed: false, snapshot: { version: 1 } });
    expect(rfm.lastComputedAt()).toBe(start + 3_600_000);
    clock.advance(10 * day);
    const moved = await rfm.recompute();
    expect(moved).toMatchObject({ changed: true, snapshot: { version: 2 } });
    // Ten days later every recency is ten days longer.
    const [latest, first] = rfm.snapshots(10);
    expect(latest).toEqual(moved.snapshot);
    latest!.breakpoints.recency.forEach((r, k) =>
      expect(r).toBeCloseTo(first!.breakpoints.recency[k]! + 10, 9),
    );
    expect(rfm.snapshots(10).map((s) => s.version)).toEqual([2, 1]);
  });

  it('saves nothing while there are no customers', async () => {
    profiles = new Map();
    addProfile('p_browser', []);
    expect(await rfm.recompute()).toMatchObject({
      snapshot: null,
      changed: false,
      profilesScanned: 1,
    });
    expect(rfm.snapshots(10)).toEqual([]);
    expect(rfm.lastComputedAt()).toBe(start);
  });

  it('runs one recompute at a time: a second call joins it', async () => {
    const a = rfm.recompute();
    const b = rfm.recompute();
    expect(b).toBe(a);
    await a;
    expect(pagesRead).toBe(4);
    expect(rfm.snapshots(10)).toHaveLength(1);
  });

  it('gives the event loop a turn between slices', async () => {
    rfm = service(1);
    let turns = 0;
    let running = true;
    const tick = (): void => {
      if (!running) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await rfm.recompute();
    running = false;
    expect(turns).toBeGreaterThanOrEqual(10);
  });

  it('stops at the next slice when closed', async () => {
    rfm = service(1);
    const running = rfm.recompute();
    await rfm.close();
    await expect(running).rejects.toThrow(RfmRecomputeAborted);
    await expect(rfm.recompute()).rejects.toThrow(RfmRecomputeAborted);
    expect(rfm.snapshots(10)).toEqual([]);
  });

  it('installs the ready-made segments, skipping ids already taken', () => {
    taken.add('rfm-lost');
    const ids = rfmSegmentDefinitions.map((d) => d.id);
    expect(rfm.installSegments()).toEqual({
      created: ids.filter((id) => id !== 'rfm-lost'),
      skipped: ['rfm-lost'],
    });
    expect(rfm.installSegments()).toEqual({ created: [], skipped: ids });
    expect(rfm.segmentDefinitions().map((d) => d.id)).toEqual(ids);
  });
});
