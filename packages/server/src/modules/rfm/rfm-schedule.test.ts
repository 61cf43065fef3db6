import type { RfmRecomputeResult } from '@attune/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { RfmSchedule } from './rfm-schedule.js';
import { RfmRecomputeAborted } from './rfm.service.js';

const hour = 3_600_000;
const start = Date.UTC(2026, 10, 23);

/** A stand-in for the service: counts recomputes, remembers when the last one ran. */
function fakeRfm(clock: ManualClock, lastComputedAt: number | null) {
  const fake = {
    runs: 0,
    fail: null as Error | null,
    last: lastComputedAt,
    lastComputedAt: () => fake.last,
    recompute: async (): Promise<RfmRecomputeResult> => {
      if (fake.fail !== null) throw fake.fail;
      fake.runs++;
      fake.last = clock.now();
      return { snapshot: null, changed: false, profilesScanned: 0, ms: 1 };
    },
  };
  return fake;
}

function logger() {
  const lines: { level: string; message: string }[] = [];
  return {
    lines,
    info: (_: object, message: string) => lines.push({ level: 'info', message }),
    error: (_: object, message: string) => lines.push({ level: 'error', message }),
  };
}

let schedule: RfmSchedule | null = null;
afterEach(() => schedule?.stop());

describe('the RFM schedule', () => {
  it('recomputes when there are no breakpoints yet, then once they are an interval old', async () => {
    const clock = new ManualClock(start);
    const rfm = fakeRfm(clock, null);
    schedule = new RfmSchedule({ rfm, clock, intervalMs: 24 * hour, logger: logger() });
    expect(await schedule.tick()).toBe(true);
    expect(await schedule.tick()).toBe(false);
    clock.advance(23 * hour);
    expect(await schedule.tick()).toBe(false);
    clock.advance(hour);
    expect(await schedule.tick()).toBe(true);
    expect(rfm.runs).toBe(2);
  });

  it('leaves young breakpoints alone at start', async () => {
    const clock = new ManualClock(start);
    const rfm = fakeRfm(clock, start - 2 * hour);
    schedule = new RfmSchedule({ rfm, clock, intervalMs: 6 * hour, logger: logger() });
    expect(await schedule.tick()).toBe(false);
    clock.advance(4 * hour);
    expect(await schedule.tick()).toBe(true);
  });

  it('start looks at once and then on a timer; stop ends it', async () => {
    const clock = new ManualClock(start);
    const rfm = fakeRfm(clock, null);
    schedule = new RfmSchedule({
      rfm,
      clock,
      intervalMs: hour,
      logger: logger(),
      checkEveryMs: 5,
    });
    schedule.start();
    await vi.waitFor(() => expect(rfm.runs).toBe(1));
    clock.advance(hour);
    await vi.waitFor(() => expect(rfm.runs).toBe(2));
    schedule.stop();
    clock.advance(hour);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(rfm.runs).toBe(2);
  });

  it('logs a failure and tries again at the next look; a shutdown is not a failure', async () => {
    const clock = new ManualClock(start);
    const rfm = fakeRfm(clock, null);
    const log = logger();
    schedule = new RfmSchedule({ rfm, clock, intervalMs: hour, logger: log });
    rfm.fail = new Error('disk on fire');
    expect(await schedule.tick()).toBe(false);
    rfm.fail = new RfmRecomputeAborted();
    expect(await schedule.tick()).toBe(false);
    expect(log.lines).toEqual([{ level: 'error', message: 'RFM recompute failed' }]);
    rfm.fail = null;
    expect(await schedule.tick()).toBe(true);
    expect(log.lines[1]).toEqual({ level: 'info', message: 'RFM breakpoints recomputed' });
  });
});
