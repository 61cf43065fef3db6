import type { Clock } from '../../platform/clock.js';
import type { EventLog } from '../event-log/event-log.store.js';
import type { ProcessorStep } from './processor-step.js';
import type { ProcessorStore } from './processor.store.js';

export interface ProcessorLogger {
  error(details: object, message: string): void;
  /** A transaction that held the processor up (see slowTransactionMs), with its phases. */
  warn?(details: object, message: string): void;
}

/**
 * A transaction this long, once the processor has caught up with the log, delays every
 * event behind it by as much: it is reported with where its time went, so a stall can be
 * told apart (a big read, a backfill chunk, a checkpoint in the commit). Catching up, long
 * transactions are the point (up to maxTransactionMs) and are not reported.
 */
export const slowTransactionMs = 500;

export interface ProcessorDeps {
  name: string;
  log: Pick<EventLog, 'readToProcess' | 'onAppend'>;
  store: ProcessorStore;
  steps: ProcessorStep[];
  /**
   * Most events per transaction. A backlog is worked off in big transactions: a profile
   * touched many times in one is written once. When caught up, each commits at once.
   */
  batchSize: number;
  /** Commit at the latest this long after the transaction began (default 3 s). */
  maxTransactionMs?: number;
  /** Events read from the log at a time (default 10,000). */
  eventsPerRead?: number;
  /** How long to sleep when caught up, unless an append in this process wakes it earlier. */
  pollIntervalMs: number;
  clock: Clock;
  logger: ProcessorLogger;
  /** Told after every committed batch, e.g. to report progress across threads. */
  onCommitted?: (offset: number) => void;
  /**
   * Track events applied only while some step wants them (`ProcessorStep.wantsTrack`), e.g.
   * Attune's own Decision Served: one per decision, most of the log when decisions are
   * logged, and of use to a profile only when a segment or computed trait is defined on it.
   */
  optionalTracks?: readonly string[];
}

/**
 * Consumes the log in offset order from its committed offset. Each transaction's derived
 * state and the new offset commit together, so after a crash it resumes exactly where the
 * last commit left it: no event is skipped or applied twice.
 */
export class Processor {
  private committed: number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private failures = 0;
  private readonly needsMessage: boolean;
  /** Work to run between transactions (erasure), in order. */
  private readonly tasks: (() => void)[] = [];

  constructor(private readonly deps: ProcessorDeps) {
    this.committed = deps.store.committedOffset(deps.name);
    this.needsMessage = deps.steps.some((step) => step.needsMessage);
  }

  get name(): string {
    return this.deps.name;
  }

  get committedOffset(): number {
    return this.committed;
  }

  /**
   * Processes events in one transaction: read by read until caught up, or `batchSize`
   * events, or `maxTransactionMs`; then the steps' own work (timers, backfills). Returns the
   * events applied plus that work: 0 means there was nothing to do.
   */
  async runOnce(): Promise<number> {
    const { log, store, steps, batchSize, name, clock } = this.deps;
    const readSize = Math.min(batchSize, this.deps.eventsPerRead ?? 10_000);
    const deadline = clock.now() + (this.deps.maxTransactionMs ?? 3000);
    let last = this.committed;
    let applied = 0;
    let caughtUp = false;
    const started = performance.now();
    const phases = { begin: 0, apply: 0, tick: 0, flush: 0, commit: 0 };
    let mark = started;
    const lap = (phase: keyof typeof phases): void => {
      const now = performance.now();
      phases[phase] = Math.round(now - mark);
      mark = now;
    };
    store.begin();
    let work = 0;
    try {
      for (const step of steps) work += step.begin?.(this.committed) ?? 0;
      const skipTracks = (this.deps.optionalTracks ?? []).filter(
        (name) => !steps.some((step) => step.wantsTrack?.(name) === true),
      );
      lap('begin');
      for (;;) {
        const limit = Math.min(readSize, batchSize - applied);
        const read = await log.readToProcess(last, limit, this.needsMessage, skipTracks);
        caughtUp = read.reachedEnd;
        if (read.through === last) break;
        if (read.events.length > 0) for (const step of steps) step.apply(read.events);
        last = read.through;
        applied += read.events.length;
        if (read.reachedEnd || applied >= batchSize || clock.now() >= deadline) break;
      }
      work += applied;
      lap('apply');
      for (const step of steps) work += (await step.tick?.()) ?? 0;
      lap('tick');
      if (work === 0 && last === this.committed) {
        store.rollback();
        return 0;
      }
      // Only Attune's own events were passed: nothing applied, but the offset moves on.
      work = Math.max(work, 1);
      for (const step of steps) step.flush?.();
      lap('flush');
      store.commit(name, last);
      lap('commit');
    } catch (error) {
      store.rollback();
      for (const step of steps) step.discard?.();
      throw error;
    }
    this.committed = last;
    this.deps.onCommitted?.(last);
    const ms = Math.round(performance.now() - started);
    if (caughtUp && ms >= slowTransactionMs) {
      this.deps.logger.warn?.(
        { processor: name, ms, phases, events: applied, work, through: last },
        'slow processor transaction',
      );
    }
    return work;
  }

  /** Runs until the log is exhausted (for tests, replay and CLI). */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  /**
   * Runs `task` between two transactions, never during one: it sees the state the last
   * commit left and no batch is half applied (erasure deletes derived rows this way).
   */
  between<T>(task: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.tasks.push(() => {
        try {
          resolve(task());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      if (this.loop === null) this.runTasks();
      else this.wake?.();
    });
  }

  private runTasks(): void {
    for (let task = this.tasks.shift(); task !== undefined; task = this.tasks.shift()) task();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.log.onAppend(() => this.wake?.());
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.runTasks();
      let applied = 0;
      try {
        applied = await this.runOnce();
        this.failures = 0;
      } catch (error) {
        // The batch rolled back; retry with backoff rather than skip it (that would lose data).
        this.failures++;
        this.deps.logger.error(
          { err: error, processor: this.deps.name, after: this.committed },
          'processor batch failed; will retry',
        );
        await this.sleep(Math.min(30_000, 100 * 2 ** Math.min(this.failures, 9)));
        continue;
      }
      // Yield between batches so request handling on this thread keeps flowing.
      if (applied > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      else if (this.tasks.length === 0) await this.sleep(this.deps.pollIntervalMs);
    }
    this.runTasks();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}
