import type { TrackingPlan } from '@attune/contracts';
import type { FieldRow, OutcomeRow } from '@attune/engine';

export interface TrackingPlanRecord {
  sourceId: string;
  plan: TrackingPlan;
  version: number;
  updatedAt: number;
}

/** Counts of one hour, added to what is stored. */
export interface HourOutcomeRow extends OutcomeRow {
  hour: number;
}

export interface HourFieldRow extends FieldRow {
  hour: number;
}

/** Hours [from, to) (hour-aligned epoch ms), optionally one source. */
export interface QualityRange {
  from: number;
  to: number;
  sourceId?: string | undefined;
}

/**
 * Persistent state of the quality module: tracking plans and hourly counts. Synchronous:
 * plans are read once at start, counts are written by a timer, reports are small queries.
 */
export interface QualityStore {
  listPlans(): TrackingPlanRecord[];
  getPlan(sourceId: string): TrackingPlanRecord | undefined;
  /** Stores the plan as the next version; returns the stored record. */
  putPlan(sourceId: string, plan: TrackingPlan, at: number): TrackingPlanRecord;
  /** False when the source had no plan. */
  deletePlan(sourceId: string): boolean;
  /** Adds counts to the stored ones, in one transaction. */
  addCounts(outcomes: HourOutcomeRow[], fields: HourFieldRow[]): void;
  /** Counts summed over the range's hours. */
  outcomes(range: QualityRange): OutcomeRow[];
  fields(range: QualityRange): FieldRow[];
}
