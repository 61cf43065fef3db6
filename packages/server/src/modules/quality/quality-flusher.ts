import type { QualityStore } from './quality.store.js';
import type { QualityTally } from './quality-tally.js';

export interface FlushLog {
  error(details: object, message: string): void;
}

/**
 * Writes the tally to the store every `intervalMs` and once more on stop. Events are
 * durable on their own; only counts of the last interval can be lost on a hard crash.
 * A failed write keeps the counts for the next attempt.
 */
export class QualityFlusher {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly tally: QualityTally,
    private readonly store: Pick<QualityStore, 'addCounts'>,
    private readonly log: FlushLog,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  flush(): void {
    if (this.tally.pending === 0) return;
    const rows = this.tally.drain();
    try {
      this.store.addCounts(rows.outcomes, rows.fields);
    } catch (error) {
      this.tally.restore(rows);
      this.log.error({ err: error }, 'writing the quality counts failed; retrying next time');
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
