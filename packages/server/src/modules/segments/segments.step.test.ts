import type { Condition } from '@attune/contracts';
import { defaultIdentityRules, rfmDefinitions } from '@attune/engine';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventReader } from '../../adapters/sqlite/event-reader.sqlite.js';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import { SqliteProcessorStore } from '../../adapters/sqlite/processor-store.sqlite.js';
import { SqliteRfmSnapshotsStore } from '../../adapters/sqlite/rfm-snapshots.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import { buildProcessorSteps } from '../../processor-steps.js';
import { defaultJourneyMap } from '../journey-map/default-journey-map.js';
import { Processor } from '../processor/processor.js';
import { testCipher } from '../../testing/test-cipher.js';
import { chunkReader } from './backfill-read-ahead.js';
import { trailHitsReader } from './trail-hits.js';
import { SqliteProfileStore } from '../../adapters/sqlite/profile-store.sqlite.js';

const hour = 3_600_000;
const minute = 60_000;
const t0 = Date.UTC(2026, 10, 1, 9);

/** One Attune data directory: the log and its definitions, the state, a processor. */
class Harness {
  readonly logDb: SqliteDatabase;
  readonly stateDb: SqliteDatabase;
  readonly clock = new ManualClock(t0);
  private readonly cipher = testCipher();
  private processor!: Processor;
  private seq = 0;

  /** Offsets the processor read on its own thread, and those it read ahead, per call. */
  readonly reads: { here: number[][]; ahead: number[][] } = { here: [], ahead: [] };

  constructor(
    readonly dir: string,
    private readonly backfillChunk = 500,
  ) {
    this.logDb = openDatabase(join(dir, 'attune.db'), { schema: 'log' });
    this.stateDb = openDatabase(join(dir, 'state.db'), { schema: 'state' });
  }

  async open(): Promise<this> {
    const { cipher } = this;
    const reader = new SqliteEventReader(this.logDb, cipher);
    const steps = buildProcessorSteps(
      this.stateDb,
      {
        identityRules: defaultIdentityRules,
        computedTraits: rfmDefinitions,
        cachedProfiles: 4,
        pii: {},
      },
      {
        logDb: this.logDb,
        reader: {
          readTracks: (offsets, events, withProperties) => {
            this.reads.here.push([...offsets]);
            return reader.readTracks(offsets, events, withProperties);
          },
        },
        readAhead: async (afterId, limit, specs) => {
          const read = chunkReader(
            new SqliteProfileStore(this.stateDb, cipher),
            trailHitsReader((o, e, w) => reader.readTracks(o, e, w)),
          );
          const ahead = await read(afterId, limit, specs);
          this.reads.ahead.push(Array.from(ahead.offsets).sort((a, b) => a - b));
          return ahead;
        },
        cipher,
        clock: this.clock,
        segmentBackfillChunk: this.backfillChunk,
      },
    );
    this.processor = new Processor({
      name: 'main',
      log: {
        readToProcess: (after, limit, withMessage) =>
          reader.readToProcess(after, limit, withMessage),
        onAppend: () => () => undefined,
      },
      store: new SqliteProcessorStore(this.stateDb, this.clock),
      steps,
      batchSize: 3,
      pollIntervalMs: 10,
      clock: this.clock,
      logger: { error: () => undefined },
    });
    return this;
  }

  define(id: string, condition: Condition, version = 1): void {
    const text = JSON.stringify(condition);
    this.logDb
      .prepare(
        `INSERT INTO segments (id, name, version, condition, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, condition = excluded.condition`,
      )
      .run(id, id, version, text);
    this.logDb
      .prepare(
        'INSERT INTO segment_versions (segment_id, version, name, condition, created_at) VALUES (?, ?, ?, ?, 0)',
      )
      .run(id, version, id, text);
  }

  async track(userId: string, event: string, at: number, properties: object = {}): Promise<void> {
    this.seq++;
    const message = { type: 'track', userId, event, properties };
    // Straight into the log table: these tests are about the processor, not ingestion.
    this.logDb
      .prepare(
        `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp,
           original_timestamp, sent_at, received_at, message)
         VALUES ('web', ?, 'track', ?, ?, NULL, ?, ?, NULL, ?, ?)`,
      )
      .run(`m${this.seq}`, event, userId, at, at, at, JSON.stringify(message));
    return Promise.resolve();
  }

  async drain(): Promise<void> {
    await this.processor.drain();
  }

  /** One processor transaction. */
  async runOnce(): Promise<number> {
    return this.processor.runOnce();
  }

  /** Members by segment, as user ids. */
  members(): Record<string, string[]> {
    const rows = this.stateDb
      .prepare(
        `SELECT m.segment_id AS segment, i.display AS user FROM segment_members m
         JOIN identities i ON i.profile_id = m.profile_id AND i.type = 'user_id'`,
      )
      .all() as { segment: string; user: string }[];
    const out: Record<string, string[]> = {};
    for (const r of rows) (out[r.segment] ??= []).push(this.cipher.decryptLeaf(r.user) as string);
    for (const users of Object.values(out)) users.sort();
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  changes(): { segment: string; user: string; entered: number; at: number }[] {
    const rows = this.stateDb
      .prepare(
        `SELECT c.segment_id AS segment, i.display AS user, c.entered, c.at FROM segment_changes c
         JOIN identities i ON i.profile_id = c.profile_id AND i.type = 'user_id' ORDER BY c.seq`,
      )
      .all() as { segment: string; user: string; entered: number; at: number }[];
    return rows.map((r) => ({ ...r, user: this.cipher.decryptLeaf(r.user) as string }));
  }

  close(): void {
    this.logDb.close();
    this.stateDb.close();
  }
}

let dirs: string[] = [];
const harnesses: Harness[] = [];
async function harness(backfillChunk?: number): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-segments-'));
  dirs.push(dir);
  const h = await new Harness(dir, backfillChunk).open();
  harnesses.push(h);
  return h;
}

beforeEach(() => {
  dirs = [];
});
afterEach(async () => {
  for (const h of harnesses.splice(0)) h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const abandonedCart: Condition = {
  type: 'not_followed',
  first: { event: 'Product Added' },
  by: { event: 'Order Completed' },
  within: { amount: 24, unit: 'hours' },
};

describe('SegmentsStep', () => {
  it('enters abandoned cart at exactly t + 24 h by a timer; an order at t + 23 h prevents it', async () => {
    const h = await harness();
    h.define('abandoned', abandonedCart);
    await h.drain();
    await h.track('ann', 'Product Added', t0);
    await h.track('bob', 'Product Added', t0);
    await h.drain();
    h.clock.set(t0 + 23 * hour);
    await h.track('bob', 'Order Completed', t0 + 23 * hour);
    await h.drain();
    h.clock.set(t0 + 24 * hour - 1);
    await h.drain();
    expect(h.members()).toEqual({});
    h.clock.set(t0 + 24 * hour);
    await h.drain();
    expect(h.members()).toEqual({ abandoned: ['ann'] });
    expect(h.changes()).toEqual([
      { segment: 'abandoned', user: 'ann', entered: 1, at: t0 + 24 * hour },
    ]);
    // The timer is gone once nothing more can change by time.
    expect(h.stateDb.prepare('SELECT count(*) FROM segment_timers').pluck().get()).toBe(0);
  });

  it('keeps membership live per event, including segments that refer to segments', async () => {
    const h = await harness();
    h.define('buyers', { type: 'event', event: 'Order Completed' });
    h.define('big_buyers', {
      type: 'and',
      conditions: [
        { type: 'segment', segment: 'buyers' },
        {
          type: 'event',
          event: 'Order Completed',
          where: [{ property: 'revenue', op: 'gte', value: 100 }],
        },
      ],
    });
    h.define('not_buyers', { type: 'segment', segment: 'buyers', member: false });
    await h.drain();
    await h.track('ann', 'Product Viewed', t0);
    await h.drain();
    expect(h.members()).toEqual({ not_buyers: ['ann'] });
    await h.track('ann', 'Order Completed', t0 + minute, { revenue: 150 });
    await h.drain();
    expect(h.members()).toEqual({ big_buyers: ['ann'], buyers: ['ann'] });
  });

  it('backfills a new segment from history, in chunks, then keeps it live', async () => {
    const h = await harness(2);
    for (const [i, user] of ['ann', 'bob', 'cy', 'dee', 'eve'].entries()) {
      await h.track(user, 'Product Viewed', t0 + i * minute);
      if (i % 2 === 0) await h.track(user, 'Product Viewed', t0 + i * minute + 1);
    }
    await h.drain();
    h.define('viewed_twice', {
      type: 'event',
      event: 'Product Viewed',
      count: { op: 'at_least', value: 2 },
    });
    await h.drain();
    expect(h.members()).toEqual({ viewed_twice: ['ann', 'cy', 'eve'] });
    const status = h.stateDb
      .prepare("SELECT * FROM segment_status WHERE segment_id = 'viewed_twice'")
      .get();
    expect(status).toMatchObject({ state: 'ready', profiles_done: 5, profiles_total: 5 });
    await h.track('bob', 'Product Viewed', t0 + hour);
    await h.drain();
    expect(h.members()).toEqual({ viewed_twice: ['ann', 'bob', 'cy', 'eve'] });
  });
});

describe('backfills', () => {
  it('joins segments defined while a young backfill runs into one pass, and counts members', async () => {
    const h = await harness(2);
    const users = Array.from({ length: 16 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    for (const [i, user] of users.entries()) {
      await h.track(user, 'Product Viewed', t0 + i * minute);
      if (i % 2 === 0) await h.track(user, 'Order Completed', t0 + i * minute + 1);
    }
    await h.drain();
    h.define('viewers', { type: 'event', event: 'Product Viewed' });
    await h.runOnce(); // activates `viewers` and backfills 2 of the 16 profiles
    await h.track('u16', 'Product Viewed', t0 + hour);
    await h.runOnce(); // the event, and 2 more: a quarter done
    h.define('buyers', { type: 'event', event: 'Order Completed' });
    await h.drain();
    const statuses = h.stateDb
      .prepare(
        'SELECT segment_id, active_from_offset, profiles_done, members FROM segment_status ORDER BY 1',
      )
      .all() as { active_from_offset: number; profiles_done: number; members: number }[];
    // One pass: `viewers` started over with `buyers`, at its offset, and saw every profile once.
    expect(statuses.map((s) => s.active_from_offset)).toEqual([
      statuses[0]?.active_from_offset,
      statuses[0]?.active_from_offset,
    ]);
    expect(statuses).toMatchObject([
      { segment_id: 'buyers', profiles_done: 17, members: 8 },
      { segment_id: 'viewers', profiles_done: 17, members: 17 },
    ]);
    const members = h.members();
    expect(members['viewers']).toEqual([...users, 'u16'].sort());
    expect(members['buyers']).toEqual(users.filter((_, i) => i % 2 === 0));
    // Re-doing the first profiles recorded no second entry.
    expect(h.changes().filter((c) => c.segment === 'viewers')).toHaveLength(17);
  });

  it('reads the next chunk ahead, and reads what a profile gained since', async () => {
    const h = await harness(2);
    for (let i = 0; i < 6; i++) await h.track(`u${i}`, 'Product Viewed', t0 + i * minute);
    await h.drain();
    h.define('twice', {
      type: 'event',
      event: 'Product Viewed',
      count: { op: 'at_least', value: 2 },
    });
    h.reads.here.length = 0;
    await h.runOnce(); // activates `twice`, backfills u0 and u1, reads u2 and u3 ahead
    expect(h.reads.ahead).toEqual([[3, 4]]);
    await h.track('u2', 'Product Viewed', t0 + hour); // offset 7, after the read-ahead
    h.reads.here.length = 0;
    await h.runOnce(); // the event, then u2 and u3 from what was read ahead, plus offset 7
    expect(h.reads.here).toEqual([[7]]);
    expect(h.reads.ahead).toEqual([
      [3, 4],
      [5, 6],
    ]);
    await h.drain();
    // Counted once each: a read-ahead event counted twice would make everyone a member.
    expect(h.members()).toEqual({ twice: ['u2'] });
  });

  it('does not fold a backfill that is well under way', async () => {
    const h = await harness(2);
    for (let i = 0; i < 6; i++) await h.track(`u${i}`, 'Product Viewed', t0 + i * minute);
    await h.drain();
    h.define('viewers', { type: 'event', event: 'Product Viewed' });
    await h.runOnce();
    await h.track('u6', 'Product Viewed', t0 + hour);
    await h.runOnce(); // 4 of 6 done
    h.define('late', { type: 'event', event: 'Product Viewed' });
    await h.drain();
    const offsets = h.stateDb
      .prepare(
        'SELECT segment_id, active_from_offset, profiles_done FROM segment_status ORDER BY 1',
      )
      .all() as { active_from_offset: number; profiles_done: number }[];
    expect(offsets[0]?.active_from_offset).toBeGreaterThan(offsets[1]?.active_from_offset ?? 0);
    expect(h.members()).toEqual({
      late: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'],
      viewers: ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6'],
    });
  });
});

describe('segments on computed values', () => {
  it('score RFM against the latest snapshot, and re-evaluate when a new one is saved', async () => {
    const h = await harness(2);
    const revenue: Record<string, number> = { ann: 500, bob: 50, cy: 20, dee: 5 };
    for (const [user, amount] of Object.entries(revenue))
      await h.track(user, 'Order Completed', t0, { revenue: amount });
    await h.drain();
    h.define('top_spenders', { type: 'computed', path: 'rfm.score.m', op: 'gte', value: 4 });
    await h.drain();
    expect(h.members()).toEqual({}); // no snapshot yet: no scores
    const snapshots = new SqliteRfmSnapshotsStore(h.logDb);
    const breakpoints = (monetary: number[]) => ({
      recency: [1, 2, 3, 4],
      frequency: [1, 1, 1, 1],
      monetary,
    });
    snapshots.save({ computedAt: t0, customers: 4, breakpoints: breakpoints([10, 30, 40, 100]) });
    await h.drain();
    // M: 1 + breakpoints below the value: ann 5, bob 4, cy 2, dee 1.
    expect(h.members()).toEqual({ top_spenders: ['ann', 'bob'] });
    snapshots.save({ computedAt: t0, customers: 4, breakpoints: breakpoints([1, 2, 3, 100]) });
    await h.drain();
    expect(h.members()).toEqual({ top_spenders: ['ann', 'bob', 'cy', 'dee'] });
  });

  it('re-evaluate values that move with time (recency) once a day', async () => {
    const h = await harness();
    await h.track('ann', 'Order Completed', t0, { revenue: 10 });
    await h.drain();
    h.define('lapsed', { type: 'computed', path: 'rfm.recencyDays', op: 'gte', value: 2 });
    await h.drain();
    expect(h.members()).toEqual({});
    h.clock.advance(3 * 24 * hour);
    await h.drain();
    expect(h.members()).toEqual({ lapsed: ['ann'] });
  });
});

describe('journey-map stages', () => {
  it('moves a profile to the furthest stage that holds, and segments on the stage follow', async () => {
    const h = await harness();
    h.logDb
      .prepare('INSERT INTO journey_map (id, version, stages, updated_at) VALUES (1, 1, ?, 0)')
      .run(JSON.stringify(defaultJourneyMap.stages));
    h.define('buyers_stage', { type: 'stage', op: 'in', value: ['purchase', 'retention'] });
    await h.drain();
    const stageOf = () =>
      h.stateDb.prepare('SELECT stage FROM profile_stages').pluck().get() as string | undefined;
    await h.track('ann', 'Product Viewed', t0);
    await h.drain();
    expect(stageOf()).toBe('awareness');
    await h.track('ann', 'Product Viewed', t0 + minute);
    await h.track('ann', 'Product Viewed', t0 + 2 * minute);
    await h.drain();
    expect(stageOf()).toBe('consideration');
    // Seven days later the views have left the window: back to awareness, by a timer.
    h.clock.set(t0 + 7 * 24 * hour);
    await h.drain();
    expect(stageOf()).toBe('awareness');
    await h.track('ann', 'Order Completed', t0 + 7 * 24 * hour);
    await h.drain();
    expect(stageOf()).toBe('purchase');
    expect(h.members()).toEqual({ buyers_stage: ['ann'] });
    await h.track('ann', 'Order Completed', t0 + 7 * 24 * hour + minute);
    await h.drain();
    expect(stageOf()).toBe('retention');
    const changes = h.stateDb
      .prepare('SELECT from_stage, to_stage FROM stage_changes ORDER BY seq')
      .raw()
      .all();
    expect(changes).toEqual([
      [null, 'awareness'],
      ['awareness', 'consideration'],
      ['consideration', 'awareness'],
      ['awareness', 'purchase'],
      ['purchase', 'retention'],
    ]);
    // Stage memberships are internal: no members rows, no Segment Entered for them.
    expect(
      h.stateDb
        .prepare("SELECT count(*) FROM segment_changes WHERE segment_id LIKE 'stage:%'")
        .pluck()
        .get(),
    ).toBe(0);
  });
});

// ---- The key property: membership kept incrementally (with timers firing) equals membership
// ---- computed from scratch by the backfill, at every checkpoint.

const names = ['Product Added', 'Order Completed', 'Product Viewed'] as const;
const durationArb = fc.record({
  amount: fc.integer({ min: 1, max: 90 }),
  unit: fc.constant('minutes' as const),
});
const filterArb = fc.record({ event: fc.constantFrom(...names) });
const leafArb: fc.Arbitrary<Condition> = fc.oneof(
  fc.record({
    type: fc.constant('event' as const),
    event: fc.constantFrom(...names),
    count: fc.record({
      op: fc.constantFrom('at_least' as const, 'at_most' as const, 'exactly' as const),
      value: fc.integer({ min: 0, max: 2 }),
    }),
    window: fc.record({ last: durationArb }),
  }),
  fc.record({
    type: fc.constant('event_time' as const),
    event: fc.constantFrom(...names),
    which: fc.constantFrom('first' as const, 'last' as const),
    op: fc.constant('within_last' as const),
    value: durationArb,
  }),
  fc.record({
    type: fc.constant('not_followed' as const),
    first: filterArb,
    by: filterArb,
    within: durationArb,
  }),
  fc.record({
    type: fc.constant('computed' as const),
    path: fc.constant('rfm.frequency'),
    op: fc.constant('gte' as const),
    value: fc.integer({ min: 1, max: 2 }),
  }),
);
const conditionArb: fc.Arbitrary<Condition> = fc.oneof(
  leafArb,
  fc.record({
    type: fc.constantFrom('and' as const, 'or' as const),
    conditions: fc.array(leafArb, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ type: fc.constant('not' as const), condition: leafArb }),
);

describe('segments (property)', () => {
  it('incremental membership with timers equals a backfill from scratch, at every checkpoint', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(conditionArb, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.record({
            user: fc.constantFrom('u1', 'u2', 'u3', 'u4'),
            event: fc.constantFrom(...names),
            gap: fc.integer({ min: 0, max: 40 }),
          }),
          { minLength: 1, maxLength: 16 },
        ),
        async (conditions, stream) => {
          const live = await harness();
          conditions.forEach((c, i) => live.define(`s${i}`, c));
          await live.drain();
          let now = t0;
          let sent = 0;
          const times: number[] = [];
          const checkpoints = [Math.floor(stream.length / 2), stream.length];
          for (const checkpoint of checkpoints) {
            for (; sent < checkpoint; sent++) {
              const e = stream[sent]!;
              now += e.gap * minute;
              live.clock.set(now);
              await live.drain(); // timers due before the event fire first
              await live.track(e.user, e.event, now);
              times.push(now);
              await live.drain();
            }
            for (const later of [0, 200 * minute]) {
              live.clock.set(now + later);
              await live.drain();
              const scratch = await harness(3);
              scratch.clock.set(now + later);
              // The same events, processed with no segments; then the segments, backfilled.
              for (const [i, e] of stream.slice(0, sent).entries())
                await scratch.track(e.user, e.event, times[i]!);
              await scratch.drain();
              conditions.forEach((c, i) => scratch.define(`s${i}`, c));
              await scratch.drain();
              expect(live.members()).toEqual(scratch.members());
            }
            now += 200 * minute;
          }
        },
      ),
      { numRuns: 15 },
    );
  }, 60_000);
});
