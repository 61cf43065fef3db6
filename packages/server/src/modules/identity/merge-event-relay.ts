import type { Clock } from '../../platform/clock.js';
import type { EventLog } from '../event-log/event-log.store.js';
import type { IdentityStore } from './identity.store.js';
import { mergeEventOf } from './merge-events.js';

export interface RelayLogger {
  error(details: object, message: string): void;
}

/**
 * The outbox of identity merges: after the processor commits, the merges it recorded are
 * appended to the log as `Identity Merged` events. Where to start is what the processor has
 * seen come back through the log (kept in the state file), so nothing is skipped across
 * restarts or replays; anything emitted twice is dropped by the log's dedup.
 */
export class MergeEventRelay {
  private sentThrough = 0;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly deps: {
      merges: Pick<IdentityStore, 'mergesAfter' | 'mergeEventsLoggedThrough'>;
      log: Pick<EventLog, 'append'>;
      clock: Clock;
      logger: RelayLogger;
      batchSize?: number;
    },
  ) {}

  /** Called after each processor commit; runs are coalesced. */
  poke(): void {
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    });
  }

  /** Resolves when no run is in progress (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    const { merges, log, clock, logger } = this.deps;
    const limit = this.deps.batchSize ?? 500;
    try {
      for (;;) {
        const from = Math.max(this.sentThrough, merges.mergeEventsLoggedThrough());
        const pending = merges.mergesAfter(from, limit);
        const last = pending[pending.length - 1];
        if (last === undefined) return;
        const now = clock.now();
        await log.append(pending.map((merge) => mergeEventOf(merge, now)));
        this.sentThrough = last.seq;
        if (pending.length < limit) return;
      }
    } catch (error) {
      // Left for the next commit's poke: the merges stay in the state file until then.
      logger.error({ err: error }, 'could not append identity merge events to the log');
    }
  }
}
