/**
 * Reads Attune's journeys.db from outside (read-only, beside the running server; WAL lets
 * both read) with cheap indexed queries, so progress can be sampled often without asking
 * the server's request thread (GET /v1/journeys/:id/stats counts every run twice).
 *
 * What the API does not show: each timer's due time (`wake_at` while a run waits), read as
 * timers are set, before they fire and the column is cleared.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface Progress {
  /** Date.now() of the reading. */
  at: number;
  /** Runs created (the start step's `entered` counter). */
  entered: number;
  /** Runs whose wait timer is set (distinct runs seen waiting at the wait step so far). */
  scheduled: number;
  /** Runs whose timer fired (the action step's `entered` counter). */
  fired: number;
  sent: number;
  failed: number;
  /** How far the journeys have read the event log. */
  cursor: number;
}

export class JourneysPeek {
  private readonly db: Database.Database;
  private readonly q;
  /** run_id → wake_at of its wait timer, as first seen. */
  readonly dueAt = new Map<string, number>();
  private since: number;

  constructor(
    dataDir: string,
    private readonly journeyId: string,
    private readonly steps: { wait: string; action: string },
    /** No timer of this journey is due before this (epoch ms): where the reading starts. */
    earliestDue: number,
  ) {
    this.since = earliestDue;
    this.db = new Database(join(dataDir, 'journeys.db'), { readonly: true, fileMustExist: true });
    const p = (sql: string) => this.db.prepare(sql);
    this.q = {
      counter: p(
        'SELECT n FROM journey_step_counts WHERE journey_id = ? AND step = ? AND counter = ?',
      ).pluck(),
      cursor: p("SELECT log_offset FROM journey_cursor WHERE name = 'log'").pluck(),
      // The partial index journey_runs_due, from the last due time seen on.
      timers: p(
        `SELECT run_id, wake_at, state, step FROM journey_runs
         WHERE state IN ('ready', 'waiting') AND wake_at IS NOT NULL AND wake_at >= ?
         ORDER BY wake_at`,
      ),
      actions: p('SELECT action_id, run_id FROM journey_actions WHERE journey_id = ?'),
      states: p(
        'SELECT state, count(*) AS n FROM journey_runs WHERE journey_id = ? GROUP BY state',
      ),
    };
  }

  close(): void {
    this.db.close();
  }

  cursor(): number {
    return (this.q.cursor.get() as number | undefined) ?? 0;
  }

  private counter(step: string, counter: string): number {
    return (this.q.counter.get(this.journeyId, step, counter) as number | undefined) ?? 0;
  }

  /** Reads the timers set since the last call into `dueAt`. */
  private readTimers(): void {
    const rows = this.q.timers.all(this.since) as {
      run_id: string;
      wake_at: number;
      state: string;
      step: string;
    }[];
    for (const row of rows) {
      if (row.state !== 'waiting' || row.step !== this.steps.wait) continue;
      if (!row.run_id.startsWith(`${this.journeyId}:`)) continue;
      if (!this.dueAt.has(row.run_id)) this.dueAt.set(row.run_id, row.wake_at);
      if (row.wake_at > this.since) this.since = row.wake_at;
    }
  }

  read(): Progress {
    this.readTimers();
    const { wait, action } = this.steps;
    return {
      at: Date.now(),
      entered: this.counter(wait, 'entered'),
      scheduled: this.dueAt.size,
      fired: this.counter(action, 'entered'),
      sent: this.counter(action, 'sent'),
      failed: this.counter(action, 'failed'),
      cursor: this.cursor(),
    };
  }

  /** action_id → run_id of the journey's actions (one full read: at the end). */
  actionRuns(): Map<string, string> {
    const rows = this.q.actions.all(this.journeyId) as { action_id: string; run_id: string }[];
    return new Map(rows.map((r) => [r.action_id, r.run_id]));
  }

  /** Runs by state (a full scan: at milestones only). */
  states(): Record<string, number> {
    const rows = this.q.states.all(this.journeyId) as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }
}

/** Reads progress every `intervalMs` into `samples` until stopped. */
export class ProgressSampler {
  readonly samples: Progress[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly peek: JourneysPeek,
    intervalMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  sample(): Progress {
    const progress = this.peek.read();
    this.samples.push(progress);
    return progress;
  }

  get last(): Progress {
    return this.samples.at(-1)!;
  }

  /** The first sample at or after `at` where `holds`, or undefined. */
  first(holds: (p: Progress) => boolean, from = 0): Progress | undefined {
    return this.samples.find((p) => p.at >= from && holds(p));
  }

  /** The latest sample at or before `at` (the first one if none). */
  at(at: number): Progress {
    let found = this.samples[0]!;
    for (const p of this.samples) {
      if (p.at > at) break;
      found = p;
    }
    return found;
  }

  /**
   * Resolves, once the latest sample satisfies `holds`, with the first sample from `from`
   * on that did (undefined after `timeoutMs`).
   */
  async until(
    holds: (p: Progress) => boolean,
    timeoutMs: number,
    from = 0,
  ): Promise<Progress | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (holds(this.last)) return this.first(holds, from);
      if (Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
