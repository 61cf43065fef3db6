import type { StepCounter } from '@attune/contracts';
import type {
  ActionRecord,
  JourneyStore,
  RunRecord,
  RunState,
  StepCount,
  StoredJourney,
} from '../../modules/journeys/journey.store.js';
import type { SqliteDatabase } from './open-database.js';

interface RunRow {
  run_id: string;
  journey_id: string;
  version: number;
  profile_id: string;
  entry_seq: number;
  step: string;
  state: RunState;
  wake_at: number | null;
  entered_at: number;
  ended_at: number | null;
  goal_until: number | null;
  converted_at: number | null;
  trigger_offset: number | null;
  attempts: number;
}

interface ActionRow {
  action_id: string;
  run_id: string;
  journey_id: string;
  version: number;
  profile_id: string;
  step: string;
  kind: string;
  status: ActionRecord['status'];
  attempts: number;
  last_error: string | null;
  updated_at: number;
}

const toRun = (r: RunRow): RunRecord => ({
  runId: r.run_id,
  journeyId: r.journey_id,
  version: r.version,
  profileId: r.profile_id,
  entrySeq: r.entry_seq,
  step: r.step,
  state: r.state,
  wakeAt: r.wake_at,
  enteredAt: r.entered_at,
  endedAt: r.ended_at,
  goalUntil: r.goal_until,
  convertedAt: r.converted_at,
  triggerOffset: r.trigger_offset,
  attempts: r.attempts,
});

const runParams = (r: RunRecord) => [
  r.journeyId,
  r.version,
  r.profileId,
  r.entrySeq,
  r.step,
  r.state,
  r.wakeAt,
  r.enteredAt,
  r.endedAt,
  r.goalUntil,
  r.convertedAt,
  r.triggerOffset,
  r.attempts,
  r.runId,
];

const toAction = (r: ActionRow): ActionRecord => ({
  actionId: r.action_id,
  runId: r.run_id,
  journeyId: r.journey_id,
  version: r.version,
  profileId: r.profile_id,
  step: r.step,
  kind: r.kind,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  updatedAt: r.updated_at,
});

/** Journeys in journeys.db (journeys-migrations.ts). */
export class SqliteJourneyStore implements JourneyStore {
  private readonly s;

  /** The connection's own setting, which `skipTo` lowers for one commit. */
  private readonly synchronous: number;

  constructor(private readonly db: SqliteDatabase) {
    this.synchronous = db.pragma('synchronous', { simple: true }) as number;
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      maxVersion: p('SELECT max(version) AS v FROM journey_versions WHERE id = ?').pluck(),
      insertVersion: p(
        'INSERT INTO journey_versions (id, version, definition, created_at) VALUES (?, ?, ?, ?)',
      ),
      markDeleted: p(
        'UPDATE journey_versions SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL',
      ),
      current: p(
        `SELECT v.id, v.version, v.definition, v.created_at AS updatedAt,
           (SELECT min(created_at) FROM journey_versions f WHERE f.id = v.id) AS createdAt
         FROM journey_versions v
         WHERE v.deleted_at IS NULL
           AND v.version = (SELECT max(version) FROM journey_versions m WHERE m.id = v.id)
           AND (? IS NULL OR v.id = ?)
         ORDER BY v.id`,
      ),
      definitionOf: p(
        'SELECT definition FROM journey_versions WHERE id = ? AND version = ?',
      ).pluck(),
      anyJourney: p('SELECT EXISTS (SELECT 1 FROM journey_versions)').pluck(),
      cursor: p("SELECT log_offset FROM journey_cursor WHERE name = 'log'").pluck(),
      setCursor: p(
        `INSERT INTO journey_cursor (name, log_offset) VALUES ('log', ?)
         ON CONFLICT (name) DO UPDATE SET log_offset = excluded.log_offset`,
      ),
      run: p('SELECT * FROM journey_runs WHERE run_id = ?'),
      latestRun: p(
        'SELECT * FROM journey_runs WHERE profile_id = ? AND journey_id = ? ORDER BY entry_seq DESC LIMIT 1',
      ),
      liveRuns: p(
        `SELECT * FROM journey_runs WHERE profile_id = ?
           AND (state IN ('ready', 'waiting', 'sending')
                OR (converted_at IS NULL AND goal_until IS NOT NULL AND goal_until >= ?))`,
      ),
      insertRun: p(
        `INSERT INTO journey_runs (journey_id, version, profile_id, entry_seq, step, state, wake_at,
           entered_at, ended_at, goal_until, converted_at, trigger_offset, attempts, run_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateRun: p(
        `UPDATE journey_runs SET journey_id = ?, version = ?, profile_id = ?, entry_seq = ?, step = ?,
           state = ?, wake_at = ?, entered_at = ?, ended_at = ?, goal_until = ?, converted_at = ?,
           trigger_offset = ?, attempts = ?
         WHERE run_id = ?`,
      ),
      dueRuns: p(
        `SELECT * FROM journey_runs WHERE state IN ('ready', 'waiting') AND wake_at IS NOT NULL
           AND wake_at <= ? ORDER BY wake_at LIMIT ?`,
      ),
      sendingRuns: p("SELECT * FROM journey_runs WHERE state = 'sending'"),
      countStep: p(
        `INSERT INTO journey_step_counts (journey_id, step, counter, n) VALUES (?, ?, ?, ?)
         ON CONFLICT (journey_id, step, counter) DO UPDATE SET n = n + excluded.n`,
      ),
      action: p('SELECT * FROM journey_actions WHERE action_id = ?'),
      saveAction: p(
        `INSERT INTO journey_actions (action_id, run_id, journey_id, version, profile_id, step, kind,
           status, attempts, last_error, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (action_id) DO UPDATE SET status = excluded.status,
           attempts = excluded.attempts, last_error = excluded.last_error,
           updated_at = excluded.updated_at`,
      ),
      deadLetters: p(
        `SELECT * FROM journey_actions WHERE status = 'dead' AND journey_id = ?
         ORDER BY updated_at DESC LIMIT ?`,
      ),
      sendsSince: p(
        'SELECT count(*) FROM journey_sends WHERE profile_id = ? AND channel = ? AND at > ?',
      ).pluck(),
      addSend: p(
        'INSERT INTO journey_sends (profile_id, channel, at, action_id) VALUES (?, ?, ?, ?)',
      ),
      removeSend: p('DELETE FROM journey_sends WHERE action_id = ?'),
      stepCounts: p('SELECT step, counter, n FROM journey_step_counts WHERE journey_id = ?'),
      activeByStep: p(
        `SELECT step, count(*) AS n FROM journey_runs
         WHERE journey_id = ? AND state IN ('ready', 'waiting', 'sending') GROUP BY step`,
      ),
      byState: p(
        'SELECT state, count(*) AS n FROM journey_runs WHERE journey_id = ? GROUP BY state',
      ),
      moveRuns: p('UPDATE journey_runs SET profile_id = ? WHERE profile_id = ?'),
      moveActions: p('UPDATE journey_actions SET profile_id = ? WHERE profile_id = ?'),
      moveSends: p('UPDATE journey_sends SET profile_id = ? WHERE profile_id = ?'),
      forgetRuns: p('DELETE FROM journey_runs WHERE profile_id = ?'),
      forgetActions: p('DELETE FROM journey_actions WHERE profile_id = ?'),
      forgetSends: p('DELETE FROM journey_sends WHERE profile_id = ?'),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  saveVersion(id: string, definition: string, at: number): number {
    const version = ((this.s.maxVersion.get(id) as number | null) ?? 0) + 1;
    this.s.insertVersion.run(id, version, definition, at);
    return version;
  }

  markDeleted(id: string, at: number): boolean {
    return this.s.markDeleted.run(at, id).changes > 0;
  }

  currentJourneys(): StoredJourney[] {
    return this.s.current.all(null, null) as StoredJourney[];
  }

  journey(id: string): StoredJourney | undefined {
    return this.s.current.get(id, id) as StoredJourney | undefined;
  }

  definitionOf(id: string, version: number): string | undefined {
    return this.s.definitionOf.get(id, version) as string | undefined;
  }

  anyJourney(): boolean {
    return this.s.anyJourney.get() === 1;
  }

  cursor(): number {
    return (this.s.cursor.get() as number | undefined) ?? 0;
  }

  setCursor(offset: number): void {
    this.s.setCursor.run(offset);
  }

  skipTo(offset: number): void {
    // An fsync per move would stall the request thread this runs on (WAL: a later synced
    // commit makes this one durable too).
    this.db.pragma('synchronous = NORMAL');
    try {
      this.s.setCursor.run(offset);
    } finally {
      this.db.pragma(`synchronous = ${this.synchronous}`);
    }
  }

  run(runId: string): RunRecord | undefined {
    const row = this.s.run.get(runId) as RunRow | undefined;
    return row === undefined ? undefined : toRun(row);
  }

  latestRun(journeyId: string, profileId: string): RunRecord | undefined {
    const row = this.s.latestRun.get(profileId, journeyId) as RunRow | undefined;
    return row === undefined ? undefined : toRun(row);
  }

  liveRunsOf(profileId: string, now: number): RunRecord[] {
    return (this.s.liveRuns.all(profileId, now) as RunRow[]).map(toRun);
  }

  insertRun(run: RunRecord): void {
    this.s.insertRun.run(...runParams(run));
  }

  updateRun(run: RunRecord): void {
    this.s.updateRun.run(...runParams(run));
  }

  dueRuns(now: number, limit: number): RunRecord[] {
    return (this.s.dueRuns.all(now, limit) as RunRow[]).map(toRun);
  }

  sendingRuns(): RunRecord[] {
    return (this.s.sendingRuns.all() as RunRow[]).map(toRun);
  }

  countStep(journeyId: string, step: string, counter: StepCounter, n = 1): void {
    this.s.countStep.run(journeyId, step, counter, n);
  }

  action(actionId: string): ActionRecord | undefined {
    const row = this.s.action.get(actionId) as ActionRow | undefined;
    return row === undefined ? undefined : toAction(row);
  }

  saveAction(a: ActionRecord): void {
    this.s.saveAction.run(
      a.actionId,
      a.runId,
      a.journeyId,
      a.version,
      a.profileId,
      a.step,
      a.kind,
      a.status,
      a.attempts,
      a.lastError,
      a.updatedAt,
    );
  }

  deadLetters(journeyId: string, limit: number): ActionRecord[] {
    return (this.s.deadLetters.all(journeyId, limit) as ActionRow[]).map(toAction);
  }

  sendsSince(profileId: string, channel: string, since: number): number {
    return this.s.sendsSince.get(profileId, channel, since) as number;
  }

  addSend(profileId: string, channel: string, at: number, actionId: string): void {
    this.s.addSend.run(profileId, channel, at, actionId);
  }

  removeSend(actionId: string): void {
    this.s.removeSend.run(actionId);
  }

  stepCounts(journeyId: string): StepCount[] {
    return this.s.stepCounts.all(journeyId) as StepCount[];
  }

  runCounts(journeyId: string) {
    const byStep = new Map<string, number>();
    for (const row of this.s.activeByStep.all(journeyId) as { step: string; n: number }[])
      byStep.set(row.step, row.n);
    const byState = new Map<RunState, number>();
    for (const row of this.s.byState.all(journeyId) as { state: RunState; n: number }[])
      byState.set(row.state, row.n);
    return { byStep, byState };
  }

  moveProfile(from: string, to: string): void {
    this.s.moveRuns.run(to, from);
    this.s.moveActions.run(to, from);
    this.s.moveSends.run(to, from);
  }

  forgetProfiles(profileIds: readonly string[]): number {
    return this.transaction(() => {
      let removed = 0;
      for (const id of profileIds) {
        removed += this.s.forgetRuns.run(id).changes;
        removed += this.s.forgetActions.run(id).changes;
        removed += this.s.forgetSends.run(id).changes;
      }
      return removed;
    });
  }
}
