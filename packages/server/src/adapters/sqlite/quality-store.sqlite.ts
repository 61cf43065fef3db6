import type { QualityOutcome, TrackingPlan } from '@attune/contracts';
import type { FieldRow, OutcomeRow } from '@attune/engine';
import type {
  HourFieldRow,
  HourOutcomeRow,
  QualityRange,
  QualityStore,
  TrackingPlanRecord,
} from '../../modules/quality/quality.store.js';
import type { SqliteDatabase } from './open-database.js';

interface PlanRow {
  source_id: string;
  plan: string;
  version: number;
  updated_at: number;
}

/**
 * Adds quality counts to their hours (inside the caller's transaction). The log writer
 * thread uses it, so that the request thread never waits for attune.db's write lock.
 */
export function qualityCountsWriter(
  db: SqliteDatabase,
): (outcomes: readonly HourOutcomeRow[], fields: readonly HourFieldRow[]) => void {
  const addOutcome = db.prepare(
    `INSERT INTO quality_counts (hour, source_id, type, event, outcome, reason, count)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET count = count + excluded.count`,
  );
  const addField = db.prepare(
    `INSERT INTO quality_fields (hour, source_id, type, event, field, missing, invalid)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET missing = missing + excluded.missing,
       invalid = invalid + excluded.invalid`,
  );
  return (outcomes, fields) => {
    for (const r of outcomes)
      addOutcome.run(r.hour, r.sourceId, r.type, r.event, r.outcome, r.reason, r.count);
    for (const r of fields)
      addField.run(r.hour, r.sourceId, r.type, r.event, r.field, r.missing, r.invalid);
  };
}

export class SqliteQualityStore implements QualityStore {
  private readonly selectPlans;
  private readonly selectPlan;
  private readonly upsertPlan;
  private readonly removePlan;
  private readonly addAll;

  constructor(private readonly db: SqliteDatabase) {
    this.selectPlans = db.prepare('SELECT * FROM tracking_plans ORDER BY source_id');
    this.selectPlan = db.prepare('SELECT * FROM tracking_plans WHERE source_id = ?');
    this.upsertPlan = db.prepare(
      `INSERT INTO tracking_plans (source_id, mode, plan, version, updated_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (source_id) DO UPDATE SET mode = excluded.mode, plan = excluded.plan,
         version = version + 1, updated_at = excluded.updated_at
       RETURNING *`,
    );
    this.removePlan = db.prepare('DELETE FROM tracking_plans WHERE source_id = ?');
    const add = qualityCountsWriter(db);
    this.addAll = db.transaction((outcomes: HourOutcomeRow[], fields: HourFieldRow[]) =>
      add(outcomes, fields),
    );
  }

  listPlans(): TrackingPlanRecord[] {
    return (this.selectPlans.all() as PlanRow[]).map(toRecord);
  }

  getPlan(sourceId: string): TrackingPlanRecord | undefined {
    const row = this.selectPlan.get(sourceId) as PlanRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  putPlan(sourceId: string, plan: TrackingPlan, at: number): TrackingPlanRecord {
    return toRecord(this.upsertPlan.get(sourceId, plan.mode, JSON.stringify(plan), at) as PlanRow);
  }

  deletePlan(sourceId: string): boolean {
    return this.removePlan.run(sourceId).changes > 0;
  }

  addCounts(outcomes: HourOutcomeRow[], fields: HourFieldRow[]): void {
    if (outcomes.length === 0 && fields.length === 0) return;
    // IMMEDIATE: take the write lock up front rather than upgrading a read lock, which
    // could fail with SQLITE_BUSY beside the log writer thread.
    this.addAll.immediate(outcomes, fields);
  }

  outcomes(range: QualityRange): OutcomeRow[] {
    const { where, params } = rangeFilter(range);
    const rows = this.db
      .prepare(
        `SELECT source_id, type, event, outcome, reason, sum(count) AS n FROM quality_counts
         WHERE ${where} GROUP BY source_id, type, event, outcome, reason`,
      )
      .raw()
      .all(...params) as [string, string, string, QualityOutcome, string, number][];
    return rows.map(([sourceId, type, event, outcome, reason, count]) => ({
      sourceId,
      type,
      event,
      outcome,
      reason,
      count,
    }));
  }

  fields(range: QualityRange): FieldRow[] {
    const { where, params } = rangeFilter(range);
    const rows = this.db
      .prepare(
        `SELECT source_id, type, event, field, sum(missing), sum(invalid) FROM quality_fields
         WHERE ${where} GROUP BY source_id, type, event, field`,
      )
      .raw()
      .all(...params) as [string, string, string, string, number, number][];
    return rows.map(([sourceId, type, event, field, missing, invalid]) => ({
      sourceId,
      type,
      event,
      field,
      missing,
      invalid,
    }));
  }
}

function rangeFilter(range: QualityRange): { where: string; params: (string | number)[] } {
  return range.sourceId === undefined
    ? { where: 'hour >= ? AND hour < ?', params: [range.from, range.to] }
    : {
        where: 'hour >= ? AND hour < ? AND source_id = ?',
        params: [range.from, range.to, range.sourceId],
      };
}

function toRecord(row: PlanRow): TrackingPlanRecord {
  return {
    sourceId: row.source_id,
    plan: JSON.parse(row.plan) as TrackingPlan,
    version: row.version,
    updatedAt: row.updated_at,
  };
}
