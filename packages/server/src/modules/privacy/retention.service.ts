import type { RetentionRule, RetentionStatus } from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { RetentionCandidate, RetentionStore } from './retention.store.js';

const dayMs = 86_400_000;
/** receivedAt is nearly ordered by offset; this much disorder is tolerated when stopping. */
const orderingSlackMs = 3_600_000;

export interface RetentionDeps {
  store: RetentionStore;
  rules: readonly RetentionRule[];
  defaultDays: number;
  intervalMinutes: number;
  /** Drops purged offsets from profile timelines (the processor, between transactions). */
  pruneTimelines(offsets: number[]): Promise<number>;
  clock: Clock;
  /** Events examined per slice; the event loop runs between slices (default 2,000). */
  sliceSize?: number;
}

export interface PurgeResult {
  purged: number;
  profilesRebuilt: number;
}

/**
 * Deletes events older than their retention period, in slices so requests keep flowing.
 * The period of an event is that of the first rule it matches (sourceId, type, event name),
 * else the default; 0 keeps it forever. Age is counted from receivedAt, which grows with the
 * offset, so a run stops at the first slice too young for any rule.
 */
export class RetentionService {
  private running: Promise<PurgeResult> | null = null;

  constructor(private readonly deps: RetentionDeps) {}

  /** Runs a purge now, or joins the one running. */
  purge(): Promise<PurgeResult> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Resolves when no purge is running (for shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  status(): RetentionStatus {
    const last = this.deps.store.lastRun();
    return {
      defaultDays: this.deps.defaultDays,
      rules: [...this.deps.rules],
      intervalMinutes: this.deps.intervalMinutes,
      running: this.running !== null,
      lastRun:
        last === null
          ? null
          : {
              startedAt: formatIsoTimestamp(last.startedAt),
              finishedAt: last.finishedAt === null ? null : formatIsoTimestamp(last.finishedAt),
              purged: last.purged,
              profilesRebuilt: last.profilesRebuilt,
            },
      totalPurged: this.deps.store.totalPurged(),
    };
  }

  private async run(): Promise<PurgeResult> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const runId = store.startRun(now);
    const periods = [this.deps.defaultDays, ...this.deps.rules.map((r) => r.days)].filter(
      (d) => d > 0,
    );
    const result: PurgeResult = { purged: 0, profilesRebuilt: 0 };
    if (periods.length > 0) {
      // Nothing received after this is old enough for any rule.
      const youngest = now - Math.min(...periods) * dayMs;
      const slice = this.deps.sliceSize ?? 2_000;
      for (let after = 0; ;) {
        const events = store.eventsAfter(after, slice);
        const last = events[events.length - 1];
        if (last === undefined) break;
        const expired = events.filter((e) => this.expired(e, now)).map((e) => e.offset);
        if (expired.length > 0) {
          result.purged += store.deleteEvents(expired);
          result.profilesRebuilt += await this.deps.pruneTimelines(expired);
        }
        after = last.offset;
        if ((events[0] as RetentionCandidate).receivedAt > youngest + orderingSlackMs) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    store.finishRun(runId, clock.now(), result.purged, result.profilesRebuilt);
    return result;
  }

  private expired(e: RetentionCandidate, now: number): boolean {
    const rule = this.deps.rules.find(
      (r) =>
        (r.sourceId === undefined || r.sourceId === e.sourceId) &&
        (r.type === undefined || r.type === e.type) &&
        (r.event === undefined || r.event === e.event),
    );
    const days = rule?.days ?? this.deps.defaultDays;
    return days > 0 && now - e.receivedAt > days * dayMs;
  }
}
