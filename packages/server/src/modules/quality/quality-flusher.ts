import type { QualityStore } from './quality.store.js';
import type { QualityTally } from './quality-tally.js';

export interface FlushLog {
  error(details: object, message: string): void;
}

/** Where counts go: a store here, or a writer thread (then the write is a promise). */
export interface CountsSink {
  addCounts(...rows: Parameters<QualityStore['addCounts']>): void | Promise<void>;
}

/**
 * Writes the tally to the store every `intervalMs` and once more on stop. Events are
 * durable on their own; only counts of the last interval can be lost on a hard crash.
 * A failed write keeps the counts for the next attempt.
 */
export class QualityFlusher {
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly tally: QualityTally,
    private readonly store: CountsSink,
    private readonly log: FlushLog,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Resolves once everything counted so far is written (or has failed and is kept). */
  flush(): Promise<void> {
    if (this.tally.pending === 0) return this.writing;
    const rows = this.tally.drain();
    const failed = (error: unknown) => {
      this.tally.restore(rows);
      this.log.error({ err: error }, 'writing the quality counts failed; retrying next time');
    };
    try {
      const written = this.store.addCounts(rows.outcomes, rows.fields);
      if (written !== undefined) {
        const previous = this.writing;
        this.writing = written.then(() => previous, failed);
      }
    } catch (error) {
      failed(error);
    }
    return this.writing;
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return this.flush();
  }
}
