import type { Clock } from '../../platform/clock.js';
import type { EventLog, NewEvent } from './event-log.store.js';

export interface RelayLogger {
  error(details: object, message: string): void;
}

/** The outboxes: what the processor commits that Attune announces in the log. */
export type OutboxName = 'merges' | 'memberships' | 'stages';

/** Records the processor commits and Attune announces as log events (merges, memberships). */
export interface OutboxSource<T extends { seq: number }> {
  /** What they are, for error messages. */
  what: string;
  /** Records after `seq`, in order. */
  pendingAfter(seq: number, limit: number): T[];
  /** The newest record known to be in the log (as last recorded by `noteLogged`). */
  loggedThrough(): number;
  toEvent(record: T, receivedAt: number): NewEvent;
}

/**
 * An outbox: after each processor commit, the records it made are appended to the log as
 * events. After each append, `noteLogged` records how far it got in the state file (the
 * processor thread writes it), and a restart starts from there, so nothing is skipped. A
 * crash before that note re-sends a few: an event emitted twice has the same messageId and
 * the log's dedup drops it. The processor does not read these events back.
 */
export class OutboxRelay<T extends { seq: number }> {
  private sentThrough = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly deps: {
      source: OutboxSource<T>;
      log: Pick<EventLog, 'append'>;
      clock: Clock;
      logger: RelayLogger;
      /** Records durably that the records through `seq` are in the log. */
      noteLogged: (seq: number) => void;
      batchSize?: number;
      /**
       * True while the processor backfills: the relay then sends one batch per `yieldMs`
       * instead of as fast as it can, leaving the CPU to the backfill (the announcements of
       * its entries trail behind, and catch up once it is done).
       */
      backfilling?: () => boolean;
      yieldMs?: number;
    },
  ) {}

  /** Called after each processor commit; runs are coalesced. */
  poke(): void {
    if (this.stopped) return;
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

  /** Stops after the batch in progress (shutdown): what is left is sent after a restart. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** Resolves when no run is in progress (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(): Promise<void> {
    const { source, log, clock, logger } = this.deps;
    const limit = this.deps.batchSize ?? 500;
    try {
      for (;;) {
        const from = Math.max(this.sentThrough, source.loggedThrough());
        const pending = source.pendingAfter(from, limit);
        const last = pending[pending.length - 1];
        if (last === undefined) return;
        const now = clock.now();
        await log.append(pending.map((record) => source.toEvent(record, now)));
        this.sentThrough = last.seq;
        this.deps.noteLogged(last.seq);
        if (pending.length < limit || this.stopped) return;
        // A backlog (e.g. after a backfill) is sent batch by batch; let requests run between.
        if (this.deps.backfilling?.() === true)
          await new Promise<void>((resolve) => setTimeout(resolve, this.deps.yieldMs ?? 100));
        else await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // Left for the next commit's poke: the records stay in the state file until then.
      logger.error({ err: error }, `could not append ${source.what} to the log`);
    }
  }
}
