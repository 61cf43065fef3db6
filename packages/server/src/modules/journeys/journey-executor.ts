import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../platform/clock.js';
import type { ActionPerformer, ActionResult } from './journey-actions.js';
import type { JourneyFollower } from './journey-follower.js';
import type { JourneyRegistry } from './journey-registry.js';
import { actionIdOf, type ActionJob, type JourneySteps } from './journey-steps.js';
import type { JourneyStore } from './journey.store.js';

export interface ExecutorOptions {
  /** Steps (run advances) per second at most: a burst of entries drains at this rate. */
  stepsPerSecond: number;
  /** Actions performed at once (emails and webhooks in flight). */
  concurrency: number;
  /** The first retry waits this long; each next one twice as long (at most an hour). */
  retryBaseMs: number;
  /** How often due timers are looked for. */
  tickMs: number;
}

export interface ExecutorDeps {
  store: JourneyStore;
  registry: JourneyRegistry;
  steps: JourneySteps;
  follower: JourneyFollower;
  performer: ActionPerformer;
  /** The log offset the processor has committed through (profiles reflect it). */
  processedThrough(): number;
  clock: Clock;
  logger: FastifyBaseLogger;
  /** Observes how late a due run was picked up, ms (a metric). */
  observeLag?(ms: number): void;
}

const defaultRetries = 3;
/** Finished actions are committed together after this long. */
const commitDelayMs = 5;
/** Servers quote the recipient in errors; journeys.db keeps no addresses in clear. */
const withoutAddresses = (error: string) =>
  error.replace(/[^\s<>@"']+@[^\s<>@"']+/g, '[address]').slice(0, 500);
const maxBackoffMs = 3_600_000;

/**
 * Runs journeys in this process: follows the log into entries and moves, wakes due timers,
 * and performs actions outside the transactions that decided them, at a bounded rate so a
 * burst never starves ingest (it shares this thread).
 */
export class JourneyExecutor {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;
  private tokens: number;
  private refilledAt = performance.now();
  private readonly queue: ActionJob[] = [];
  private inFlight = 0;
  /** Actions done, their outcome not yet committed (their runs still `sending`). */
  private readonly finished: { job: ActionJob; result: ActionResult }[] = [];
  private commitTimer: NodeJS.Timeout | null = null;
  /** The last pass left due runs for lack of room. */
  private backlogged = false;
  private readonly settled = new Set<() => void>();

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly options: ExecutorOptions,
  ) {
    this.tokens = options.stepsPerSecond;
  }

  start(): void {
    this.recover();
    this.schedule(0);
  }

  /** Lets the actions in flight finish; queued ones wait in the database for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.ticking;
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.settled.add(resolve));
    // What finished is recorded; the actions that follow (and queued ones) wait for the next start.
    this.commitFinished();
    this.requeue();
  }

  /** Wakes the loop now (new events were processed). */
  poke(): void {
    if (!this.stopped && this.ticking === null) this.schedule(0);
  }

  /**
   * Runs until nothing is due now, the log is followed to the processor and no action is in
   * flight. For tests and tools: time stands still unless the clock moves.
   */
  async drain(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      await this.ticking;
      const committed = this.commitFinished();
      const worked = await this.tickOnce(Number.MAX_SAFE_INTEGER);
      if (this.inFlight > 0) {
        await new Promise<void>((resolve) => this.settled.add(resolve));
        continue;
      }
      if (!worked && committed === 0 && this.finished.length === 0) return;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.ticking !== null) return this.schedule(this.options.tickMs);
      this.ticking = this.tick().finally(() => (this.ticking = null));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let more = false;
    try {
      more = await this.tickOnce(this.refill());
    } catch (error) {
      this.deps.logger.error({ err: error }, 'journeys: a tick failed; retrying');
    }
    this.schedule(more ? 0 : this.options.tickMs);
  }

  private refill(): number {
    const now = performance.now();
    const { stepsPerSecond } = this.options;
    this.tokens = Math.min(
      stepsPerSecond,
      this.tokens + ((now - this.refilledAt) * stepsPerSecond) / 1000,
    );
    this.refilledAt = now;
    return Math.floor(this.tokens);
  }

  /**
   * Actions that may still be taken on: twice the concurrency, in flight or queued. Due runs
   * wait in the database beyond that, so a crash finds few runs `sending` and the send
   * rate, not the step rate, sets the pace of a long drain.
   */
  private room(): number {
    return this.options.concurrency * 2 - this.queue.length - this.inFlight - this.finished.length;
  }

  /** One pass: follow the log a batch, then advance up to `budget` due runs. True if it did work. */
  private async tickOnce(budget: number): Promise<boolean> {
    const followed = await this.deps.follower.pump(this.deps.processedThrough());
    const limit = Math.min(budget, 500);
    const room = this.room();
    this.backlogged = room <= 0;
    if (limit <= 0 || room <= 0) return followed;
    const { store, registry, steps, clock } = this.deps;
    const now = clock.now();
    const jobs: ActionJob[] = [];
    const due = store.transaction(() => {
      let advanced = 0;
      // In slices no bigger than the room for actions: each advanced run leaves the due set.
      while (advanced < limit && jobs.length < room) {
        const want = Math.min(limit - advanced, room - jobs.length);
        const runs = store.dueRuns(now, want);
        for (const run of runs) {
          advanced++;
          const journey = registry.version(run.journeyId, run.version);
          if (journey === undefined) {
            steps.end(run, 'completed', now);
            store.updateRun(run);
            continue;
          }
          if (run.state === 'waiting' && run.wakeAt !== null)
            this.deps.observeLag?.(now - run.wakeAt);
          const job = steps.advance(run, journey, now);
          if (job !== null) jobs.push(job);
        }
        if (runs.length < want) return advanced;
      }
      if (jobs.length >= room) this.backlogged = true;
      return advanced;
    });
    this.tokens -= due;
    this.dispatch(jobs);
    return followed || due > 0;
  }

  /** Queued actions not started go back to waiting (due now), to be taken on at the next start. */
  private requeue(): void {
    const { store, clock } = this.deps;
    const jobs = this.queue.splice(0);
    if (jobs.length === 0) return;
    store.transaction(() => {
      for (const job of jobs) {
        const run = store.run(job.run.runId);
        if (run?.state !== 'sending') continue;
        run.state = 'waiting';
        run.wakeAt = clock.now();
        store.updateRun(run);
      }
    });
  }

  private dispatch(jobs: ActionJob[]): void {
    this.queue.push(...jobs);
    while (!this.stopped && this.inFlight < this.options.concurrency && this.queue.length > 0) {
      const job = this.queue.shift() as ActionJob;
      this.inFlight++;
      void this.deps.performer
        .perform(job)
        .then((result) => this.finish(job, result))
        .catch((error: unknown) =>
          this.deps.logger.error({ err: error }, 'journeys: an action failed to settle'),
        )
        .finally(() => {
          this.inFlight--;
          this.dispatch([]);
          for (const resolve of this.settled) resolve();
          this.settled.clear();
        });
    }
  }

  /**
   * Records what an action did, together with the others that finish within a few ms: one
   * transaction (one fsync) for many sends, not one each. Its run stays `sending` until then.
   */
  private finish(job: ActionJob, result: ActionResult): void {
    this.finished.push({ job, result });
    this.commitTimer ??= setTimeout(() => this.commitFinished(), commitDelayMs);
  }

  /** Commits the finished actions' outcomes and takes on what follows; returns how many. */
  private commitFinished(): number {
    if (this.commitTimer !== null) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    const batch = this.finished.splice(0);
    if (batch.length === 0) return 0;
    const now = this.deps.clock.now();
    const next: ActionJob[] = [];
    try {
      this.deps.store.transaction(() => {
        for (const { job, result } of batch) this.record(job, result, now, next);
      });
    } catch (error) {
      this.deps.logger.error({ err: error }, 'journeys: could not record finished actions');
    }
    for (const { job, result } of batch) {
      if (!result.ok && !this.stopped)
        this.deps.logger.warn(
          { journey: job.journey.id, step: job.step, error: result.error },
          'journey action failed',
        );
    }
    this.dispatch(next);
    if (this.backlogged && this.room() > this.options.concurrency) {
      this.backlogged = false;
      this.poke();
    }
    return batch.length;
  }

  /** What one action did; moves its run on (or schedules the retry). */
  private record(job: ActionJob, result: ActionResult, now: number, next: ActionJob[]): void {
    const { store, steps, registry } = this.deps;
    const action = store.action(job.actionId);
    if (action === undefined) return; // Erased meanwhile.
    const retries =
      job.action.type === 'webhook' ? (job.action.retries ?? defaultRetries) : defaultRetries;
    const run = store.run(job.run.runId);
    const waiting = run !== undefined && run.state === 'sending';
    let final = true;
    if (result.ok) {
      store.saveAction({ ...action, status: 'sent', lastError: null, updatedAt: now });
      store.countStep(job.journey.id, job.step, 'sent');
    } else if (result.retryable && job.attempt <= retries && waiting) {
      final = false;
      store.saveAction({ ...action, lastError: withoutAddresses(result.error), updatedAt: now });
      run.state = 'waiting';
      run.wakeAt = now + Math.min(maxBackoffMs, this.options.retryBaseMs * 2 ** (job.attempt - 1));
      store.updateRun(run);
    } else {
      const dead = job.action.type === 'webhook';
      store.saveAction({
        ...action,
        status: dead ? 'dead' : 'failed',
        lastError: withoutAddresses(result.error),
        updatedAt: now,
      });
      store.countStep(job.journey.id, job.step, 'failed');
      if (dead) store.countStep(job.journey.id, job.step, 'deadLettered');
      store.removeSend(job.actionId);
    }
    if (!final || !waiting) return;
    const step = job.journey.definition.steps[job.step];
    steps.goTo(run, step?.type === 'action' ? step.next : undefined, now);
    const journey = registry.version(run.journeyId, run.version);
    const more = journey === undefined ? null : steps.advance(run, journey, now);
    if (more !== null) next.push(more);
    else store.updateRun(run);
  }

  /**
   * Runs a crash left `sending`: an email may have gone out, so it is not sent again (at most
   * once; counted failed, status `unknown`); webhooks and events are sent again under the same
   * id (at least once: receivers deduplicate by Idempotency-Key, the log by messageId).
   */
  private recover(): void {
    const { store, steps, registry, clock } = this.deps;
    const now = clock.now();
    store.transaction(() => {
      for (const run of store.sendingRuns()) {
        const journey = registry.version(run.journeyId, run.version);
        const step = journey?.definition.steps[run.step];
        if (journey === undefined || step?.type !== 'action') {
          steps.end(run, 'completed', now);
          store.updateRun(run);
          continue;
        }
        const actionId = actionIdOf(run, run.step);
        const action = store.action(actionId);
        if (step.action.type === 'email') {
          if (action !== undefined)
            store.saveAction({
              ...action,
              status: 'unknown',
              lastError: 'interrupted while sending: not known whether it went out; not sent again',
              updatedAt: now,
            });
          store.countStep(run.journeyId, run.step, 'failed');
          steps.goTo(run, step.next, now);
        } else {
          run.state = 'waiting';
          run.wakeAt = now;
        }
        store.updateRun(run);
      }
    });
  }
}
