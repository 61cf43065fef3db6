import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventLog } from '../../adapters/sqlite/event-log.sqlite.js';
import { openDatabase, type SqliteDatabase } from '../../adapters/sqlite/open-database.js';
import {
  SqliteEventVolumeStore,
  SqliteProcessorStore,
} from '../../adapters/sqlite/processor-store.sqlite.js';
import { systemClock } from '../../platform/clock.js';
import type { LoggedEvent, NewEvent } from '../event-log/event-log.store.js';
import { EventVolumeStep } from './event-volume.step.js';
import type { ProcessorStep } from './processor-step.js';
import { Processor, slowTransactionMs } from './processor.js';
import { testCipher } from '../../testing/test-cipher.js';

let dir: string;
let logDb: SqliteDatabase;
/** Derived state lives in its own file, as in the app. */
let db: SqliteDatabase;
let log: SqliteEventLog;
const silent = { error: () => undefined };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-proc-'));
  const file = join(dir, 'attune.db');
  logDb = openDatabase(file, { schema: 'log' });
  db = openDatabase(join(dir, 'state.db'), { schema: 'state' });
  log = await SqliteEventLog.open({
    file,
    db: logDb,
    cipher: testCipher(),
    dedupWindowMs: 86_400_000,
  });
});
afterEach(async () => {
  await log.close();
  logDb.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function events(count: number, name = 'Viewed'): NewEvent[] {
  return Array.from({ length: count }, () => {
    n++;
    return {
      sourceId: 'web',
      messageId: `p-${n}`,
      type: 'track',
      event: name,
      userId: 'u',
      anonymousId: null,
      timestamp: n,
      originalTimestamp: null,
      sentAt: null,
      receivedAt: 1000 + n,
      message: '{}',
    };
  });
}

function processor(steps: ProcessorStep[], batchSize = 7, eventsPerRead?: number): Processor {
  return new Processor({
    name: 'test',
    log,
    store: new SqliteProcessorStore(db, systemClock),
    steps,
    batchSize,
    ...(eventsPerRead === undefined ? {} : { eventsPerRead }),
    pollIntervalMs: 10,
    clock: systemClock,
    logger: silent,
  });
}

function volume(): Record<string, number> {
  const rows = db.prepare('SELECT event, count FROM event_volume').all() as {
    event: string;
    count: number;
  }[];
  return Object.fromEntries(rows.map((r) => [r.event, r.count]));
}

class Recorder implements ProcessorStep {
  readonly name = 'recorder';
  readonly seen: number[] = [];
  readonly messages: (string | undefined)[] = [];
  constructor(readonly needsMessage = false) {}
  apply(batch: readonly LoggedEvent[]): void {
    this.seen.push(...batch.map((e) => e.offset));
    this.messages.push(...batch.map((e) => e.message));
  }
}

describe('Processor', () => {
  it.each([
    { batchSize: 100, reported: 1 },
    // The first transaction stops at the batch size, not caught up: catching up, not a stall.
    { batchSize: 2, reported: 0 },
  ])(
    'reports a slow transaction once caught up, with its phases (batch size $batchSize)',
    async ({ batchSize, reported }) => {
      await log.append(events(3));
      const warnings: { details: object; message: string }[] = [];
      let slow = true;
      const sleeper: ProcessorStep = {
        name: 'sleeper',
        needsMessage: false,
        apply: () => undefined,
        async tick() {
          if (!slow) return 0;
          slow = false;
          await new Promise((resolve) => setTimeout(resolve, slowTransactionMs + 50));
          return 1;
        },
      };
      const p = new Processor({
        name: 'test',
        log,
        store: new SqliteProcessorStore(db, systemClock),
        steps: [sleeper],
        batchSize,
        pollIntervalMs: 10,
        clock: systemClock,
        logger: { ...silent, warn: (details, message) => warnings.push({ details, message }) },
      });
      await p.drain();
      expect(warnings).toHaveLength(reported);
      if (reported === 0) return;
      expect(warnings[0]?.message).toBe('slow processor transaction');
      const details = warnings[0]?.details as {
        ms: number;
        events: number;
        phases: { tick: number };
      };
      expect(details.events).toBe(3);
      expect(details.phases.tick).toBeGreaterThanOrEqual(slowTransactionMs);
      expect(details.ms).toBeGreaterThanOrEqual(details.phases.tick);
    },
  );

  it('applies every event once, in order, in batches', async () => {
    await log.append(events(20, 'Viewed'));
    await log.append(events(5, 'Bought'));
    const recorder = new Recorder();
    const p = processor([new EventVolumeStep(new SqliteEventVolumeStore(db)), recorder]);
    expect(await p.drain()).toBe(25);
    expect(recorder.seen).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(volume()).toEqual({ Viewed: 20, Bought: 5 });
    expect(p.committedOffset).toBe(25);
  });

  it('loads message texts only when a step needs them', async () => {
    await log.append(events(2));
    const fieldsOnly = new Recorder(false);
    await processor([fieldsOnly]).drain();
    expect(fieldsOnly.messages).toEqual([undefined, undefined]);
    await log.append(events(1));
    const withText = new Recorder(true);
    await processor([withText, new Recorder(false)]).drain();
    expect(withText.messages).toEqual(['{}']);
  });

  it("passes over Attune's own events without applying them, and commits past them", async () => {
    const own = (count: number) => events(count).map((e) => ({ ...e, sourceId: 'attune' }));
    await log.append(events(3));
    await log.append(own(12));
    await log.append(events(2));
    const recorder = new Recorder(true);
    const p = processor([recorder], 7, 5);
    await p.drain();
    expect(recorder.seen).toEqual([1, 2, 3, 16, 17]);
    expect(p.committedOffset).toBe(17);
    // A tail of only Attune's events still moves the offset (else it is read again forever).
    await log.append(own(12));
    expect(await p.drain()).toBeGreaterThan(0);
    expect(p.committedOffset).toBe(29);
    expect(recorder.seen).toHaveLength(5);
    expect(await processor([new Recorder()]).runOnce()).toBe(0);
  });

  it('resumes from its committed offset after a restart', async () => {
    await log.append(events(10));
    await processor([new EventVolumeStep(new SqliteEventVolumeStore(db))]).drain();
    await log.append(events(3));
    const recorder = new Recorder();
    const restarted = processor([new EventVolumeStep(new SqliteEventVolumeStore(db)), recorder]);
    expect(restarted.committedOffset).toBe(10);
    await restarted.drain();
    expect(recorder.seen).toEqual([11, 12, 13]);
    expect(volume()).toEqual({ Viewed: 13 });
  });

  it('rolls back derived state and offset together when a step fails', async () => {
    await log.append(events(10));
    let failOn: number | null = 9;
    const flaky: ProcessorStep = {
      name: 'flaky',
      needsMessage: false,
      apply(batch) {
        if (failOn !== null && batch.some((e) => e.offset === failOn)) throw new Error('boom');
      },
    };
    const p = processor([new EventVolumeStep(new SqliteEventVolumeStore(db)), flaky], 4);
    await expect(p.drain()).rejects.toThrow('boom');
    // Batches 1–4 and 5–8 committed; 9–10 rolled back with its volume update.
    expect(p.committedOffset).toBe(8);
    expect(new SqliteProcessorStore(db, systemClock).committedOffset('test')).toBe(8);
    expect(volume()).toEqual({ Viewed: 8 });
    failOn = null;
    await p.drain();
    expect(volume()).toEqual({ Viewed: 10 });
  });

  it('spans a transaction over several reads, flushing once before each commit', async () => {
    await log.append(events(10));
    const flushedAt: number[] = [];
    let failOn: number | null = 9;
    const recorder = new Recorder();
    const buffered: ProcessorStep = {
      name: 'buffered',
      needsMessage: false,
      apply(batch) {
        if (failOn !== null && batch.some((e) => e.offset === failOn)) throw new Error('boom');
      },
      flush: () => flushedAt.push(recorder.seen.length),
    };
    // Transactions of up to 6 events, read 2 at a time.
    const p = processor(
      [new EventVolumeStep(new SqliteEventVolumeStore(db)), recorder, buffered],
      6,
      2,
    );
    await expect(p.drain()).rejects.toThrow('boom');
    expect(flushedAt).toEqual([6]);
    // 1–6 committed together; 7–8 were applied but rolled back with 9–10's transaction.
    expect(p.committedOffset).toBe(6);
    expect(volume()).toEqual({ Viewed: 6 });
    failOn = null;
    expect(await p.drain()).toBe(4);
    // The recorder saw 1–10, then 7–10 again when the transaction was redone.
    expect(flushedAt).toEqual([6, 14]);
    expect(volume()).toEqual({ Viewed: 10 });
  });

  it('wakes up when events are appended while it runs', async () => {
    const recorder = new Recorder();
    const p = processor([recorder]);
    p.start();
    await log.append(events(3));
    await expect.poll(() => recorder.seen.length, { timeout: 2000, interval: 5 }).toBe(3);
    await p.stop();
  });

  it('retries a failing batch in the background without skipping it', async () => {
    await log.append(events(3));
    let attempts = 0;
    const recorder = new Recorder();
    const flaky: ProcessorStep = {
      name: 'flaky',
      needsMessage: false,
      apply() {
        attempts++;
        if (attempts < 3) throw new Error('transient');
      },
    };
    const p = processor([flaky, recorder]);
    p.start();
    await expect.poll(() => recorder.seen, { timeout: 5000, interval: 10 }).toEqual([1, 2, 3]);
    await p.stop();
    expect(attempts).toBe(3);
  });
});
