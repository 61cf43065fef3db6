import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../modules/event-log/event-log.store.js';
import { fingerprint32 } from '@attune/engine';
import { SqliteEventLog } from './event-log.sqlite.js';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import { SqliteQualityStore } from './quality-store.sqlite.js';
import { testCipher } from '../../testing/test-cipher.js';

const day = 86_400_000;
const t0 = Date.UTC(2026, 10, 1);

let dir: string;
let file: string;
let db: SqliteDatabase;
let log: SqliteEventLog;

async function open(): Promise<void> {
  db = openDatabase(file, { schema: 'log' });
  log = await SqliteEventLog.open({ file, db, cipher: testCipher(), dedupWindowMs: 7 * day });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-log-'));
  file = join(dir, 'attune.db');
  await open();
});
afterEach(async () => {
  await log.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function event(overrides: Partial<NewEvent> = {}): NewEvent {
  counter++;
  return {
    sourceId: 'web',
    messageId: `m-${counter}`,
    type: 'track',
    event: 'Viewed',
    userId: `u-${counter % 3}`,
    anonymousId: null,
    timestamp: t0,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: t0,
    message: JSON.stringify({ n: counter }),
    ...overrides,
  };
}

describe('SqliteEventLog', () => {
  it('assigns strictly increasing offsets and reads back in order', async () => {
    const first = await log.append([event(), event()]);
    const second = await log.append([event()]);
    const offsets = [...first.offsets, ...second.offsets];
    expect(offsets).toEqual([1, 2, 3]);
    const read = await log.read(0, 10);
    expect(read.map((e) => e.offset)).toEqual([1, 2, 3]);
    expect(await log.read(2, 10)).toHaveLength(1);
    expect(await log.lastOffset()).toBe(3);
  });

  it('stores every normalized field and the message text', async () => {
    const e = event({
      type: 'page',
      event: 'Home',
      userId: null,
      anonymousId: 'a-1',
      originalTimestamp: t0 - 5,
      sentAt: t0 - 1,
      timestamp: t0 - 4,
    });
    await log.append([e]);
    const [stored] = await log.read(0, 1);
    expect(stored).toEqual({ ...e, offset: 1 });
  });

  it('keeps events across a reopen (durable on return)', async () => {
    await log.append([event(), event()]);
    await log.close();
    db.close();
    await open();
    expect(await log.read(0, 10)).toHaveLength(2);
  });

  it('drops a messageId seen within the window, per source', async () => {
    const e = event({ messageId: 'same' });
    const result = await log.append([
      e,
      { ...e, receivedAt: t0 + 1000 },
      { ...e, sourceId: 'app' },
    ]);
    expect(result.offsets).toEqual([1, null, 2]);
    const again = await log.append([{ ...e, receivedAt: t0 + 6 * day }]);
    expect(again.offsets).toEqual([null]);
  });

  it('stores a messageId again once the window has passed', async () => {
    const e = event({ messageId: 'late-retry' });
    await log.append([e]);
    const later = await log.append([{ ...e, receivedAt: t0 + 7 * day + 1 }]);
    expect(later.offsets).toEqual([2]);
    // …and the window now runs from the second copy.
    expect((await log.append([{ ...e, receivedAt: t0 + 8 * day }])).offsets).toEqual([null]);
  });

  it('shares one commit among concurrent appends (group commit)', async () => {
    const before = log.commits;
    const results = await Promise.all(
      Array.from({ length: 200 }, () => log.append([event(), event()])),
    );
    const offsets = results.flatMap((r) => r.offsets) as number[];
    expect(new Set(offsets).size).toBe(400);
    expect(Math.max(...offsets) - Math.min(...offsets)).toBe(399);
    const commits = log.commits - before;
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThan(200);
  });

  it('adds quality counts in the writer thread, with the appends beside them', async () => {
    const hour = t0;
    const outcome = {
      hour,
      sourceId: 'web',
      type: 'track',
      event: 'Viewed',
      outcome: 'accepted' as const,
      reason: '',
      count: 2,
    };
    const field = { hour, sourceId: 'web', type: 'track', event: 'Viewed', field: '/x' };
    const [appended] = await Promise.all([
      log.append([event()]),
      log.addQualityCounts([outcome], [{ ...field, missing: 1, invalid: 0 }]),
      log.addQualityCounts([{ ...outcome, count: 3 }], [{ ...field, missing: 0, invalid: 4 }]),
    ]);
    expect(appended.offsets).toHaveLength(1);
    const store = new SqliteQualityStore(db);
    const range = { from: hour, to: hour + 3_600_000 };
    expect(store.outcomes(range)).toMatchObject([{ outcome: 'accepted', count: 5 }]);
    expect(store.fields(range)).toMatchObject([{ field: '/x', missing: 1, invalid: 4 }]);
  });

  it('never reuses an offset, even after the newest events are deleted', async () => {
    await log.append([event(), event()]);
    db.prepare('DELETE FROM events WHERE seq = 2').run();
    const { offsets } = await log.append([event()]);
    expect(offsets).toEqual([3]);
  });

  it('tells listeners about durable appends', async () => {
    const seen: number[] = [];
    log.onAppend((last) => seen.push(last));
    await log.append([event({ messageId: 'l-1' }), event({ messageId: 'l-2' })]);
    await log.append([event({ messageId: 'l-1' })]); // a duplicate: nothing new
    expect(seen).toEqual([2]);
  });

  it('reads the named track events of given offsets, with decrypted properties when asked', async () => {
    const protect = (message: Record<string, unknown>) =>
      JSON.stringify(testCipher().protectMessage(message));
    const stored = protect({ userId: 'ann', properties: { email: 'ann@example.com', price: 30 } });
    expect(stored).not.toContain('ann@example.com');
    await log.append([
      event({ event: 'Viewed', message: stored }),
      event({ event: 'Bought', message: protect({ userId: 'ann', properties: { revenue: 9 } }) }),
      event({ type: 'page', event: 'Viewed', message: stored }),
      event({ event: 'Viewed', message: protect({ userId: 'bob' }) }),
      event({ event: 'Left', message: stored }),
    ]);
    const tracks = await log.readTracks([1, 2, 3, 4, 5, 99], ['Viewed', 'Bought'], ['Viewed']);
    expect(tracks).toEqual([
      {
        offset: 1,
        event: 'Viewed',
        timestamp: t0,
        properties: { email: 'ann@example.com', price: 30 },
      },
      { offset: 2, event: 'Bought', timestamp: t0, properties: null },
      // No properties in the message: an empty object, as the live path sees it.
      { offset: 4, event: 'Viewed', timestamp: t0, properties: {} },
    ]);
    expect(await log.readTracks([1, 2], [], ['Viewed'])).toEqual([]);
    expect(await log.readTracks([], ['Viewed'], [])).toEqual([]);
  });

  it("reads for processing a window of offsets, without Attune's own events", async () => {
    await log.append([event(), event({ sourceId: 'attune' }), event({ sourceId: 'attune' })]);
    await log.append([event(), event({ sourceId: 'attune' })]);
    const first = await log.readToProcess(0, 3, true);
    expect(first.events.map((e) => e.offset)).toEqual([1]);
    expect(first.events[0]?.message).toBe(JSON.stringify({ n: counter - 4 }));
    expect(first).toMatchObject({ through: 3, reachedEnd: false });
    const second = await log.readToProcess(3, 3, false);
    expect(second.events.map((e) => [e.offset, e.message])).toEqual([[4, undefined]]);
    expect(second).toMatchObject({ through: 5, reachedEnd: true });
    expect(await log.readToProcess(5, 3, true)).toEqual({
      events: [],
      through: 5,
      reachedEnd: true,
    });
  });

  it('skips track events by name for processing, and only track events', async () => {
    await log.append([
      event({ event: 'Decision Served' }),
      event({ type: 'page', event: 'Decision Served' }),
      event({ event: 'Viewed' }),
      event({ event: 'Decision Served' }),
    ]);
    const read = await log.readToProcess(0, 10, false, ['Decision Served']);
    expect(read.events.map((e) => e.offset)).toEqual([2, 3]);
    // The window still covers the skipped offsets.
    expect(read).toMatchObject({ through: 4, reachedEnd: true });
    const all = await log.readToProcess(0, 10, true, []);
    expect(all.events.map((e) => e.offset)).toEqual([1, 2, 3, 4]);
  });

  describe('scan', () => {
    beforeEach(async () => {
      await log.append([
        event({ type: 'identify', event: null, userId: 'ann' }),
        event({ event: 'Viewed', userId: 'ann' }),
        event({ event: 'Bought', userId: 'bob', sourceId: 'app' }),
        event({ event: 'Viewed', userId: null, anonymousId: 'anon-9' }),
        event({ event: 'Bought', userId: 'ann' }),
      ]);
    });

    it.each([
      [{ type: 'identify' as const }, [1]],
      [{ event: 'Bought' }, [3, 5]],
      [{ userId: 'ann' }, [1, 2, 5]],
      [{ anonymousId: 'anon-9' }, [4]],
      [{ sourceId: 'app' }, [3]],
      [{ userId: 'ann', event: 'Viewed' }, [2]],
      [{}, [1, 2, 3, 4, 5]],
    ])('filters by %j', async (filter, offsets) => {
      const result = await log.scan(0, 100, filter, 1000);
      expect(result.events.map((e) => e.offset)).toEqual(offsets);
      expect(result.reachedEnd).toBe(true);
    });

    it('examines a bounded window and says where to continue', async () => {
      const first = await log.scan(0, 100, { event: 'Bought' }, 2);
      expect(first.events.map((e) => e.offset)).toEqual([]);
      expect(first).toMatchObject({ scannedThrough: 2, reachedEnd: false });
      const second = await log.scan(first.scannedThrough, 100, { event: 'Bought' }, 2);
      expect(second.events.map((e) => e.offset)).toEqual([3]);
      const third = await log.scan(second.scannedThrough, 100, { event: 'Bought' }, 2);
      expect(third.events.map((e) => e.offset)).toEqual([5]);
      expect(third).toMatchObject({ scannedThrough: 5, reachedEnd: true });
    });

    it('stops at the limit and continues after the last event returned', async () => {
      const page = await log.scan(0, 2, { userId: 'ann' }, 1000);
      expect(page.events.map((e) => e.offset)).toEqual([1, 2]);
      expect(page).toMatchObject({ scannedThrough: 2, reachedEnd: false });
    });
  });
});

describe('dedup across restarts and edge cases', () => {
  it('remembers messageIds after a restart (the index is rebuilt from the log)', async () => {
    const now = Date.now();
    await log.append([
      event({ messageId: 'before-restart', receivedAt: now - 1000 }),
      event({ messageId: 'too-old', receivedAt: now - 8 * day }),
    ]);
    await log.close();
    db.close();
    await open();
    expect(log.dedupStartup.indexed).toBe(1);
    const again = await log.append([
      event({ messageId: 'before-restart', receivedAt: now }),
      event({ messageId: 'too-old', receivedAt: now }),
    ]);
    expect(again.offsets).toEqual([null, 3]);
  });

  it('does not treat an erased event as seen', async () => {
    await log.append([event({ messageId: 'erased' })]);
    db.prepare("DELETE FROM events WHERE message_id = 'erased'").run();
    expect((await log.append([event({ messageId: 'erased' })])).offsets).toEqual([2]);
  });

  it('stores both of two different messageIds that share a fingerprint', async () => {
    const byPrint = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const id = `collide-${i}`;
      const print = fingerprint32(`web\u0000${id}`);
      const other = byPrint.get(print);
      if (other !== undefined) pair = [other, id];
      byPrint.set(print, id);
    }
    const first = await log.append([event({ messageId: pair[0] })]);
    const second = await log.append([event({ messageId: pair[1] }), event({ messageId: pair[0] })]);
    expect(first.offsets).toEqual([1]);
    expect(second.offsets).toEqual([2, null]);
  });
});

describe('when the writer thread dies', () => {
  it('refuses appends at once (no hanging request), then recovers with its dedup memory', async () => {
    await log.append([event({ messageId: 'before-crash' })]);
    const writer = (log as unknown as { writer: { worker: { terminate(): Promise<number> } } })
      .writer;
    await writer.worker.terminate();
    await expect(log.append([event()])).rejects.toThrow(/restarting|exited/);
    expect(log.unavailableReason).not.toBeNull();
    await expect.poll(() => log.unavailableReason, { timeout: 10_000, interval: 20 }).toBeNull();
    const after = await log.append([
      event({ messageId: 'before-crash' }),
      event({ messageId: 'after-crash' }),
    ]);
    expect(after.offsets).toEqual([null, 2]);
  });
});
