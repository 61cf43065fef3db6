import type { TrackingPlan, TrackingPlanView } from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import { compileTrackingPlan, type CompiledPlan } from './compile-tracking-plan.js';
import type { QualityStore, TrackingPlanRecord } from './quality.store.js';
import type { PlanLookup } from './tracking-plan.step.js';

/** An expected failure of a quality request; the routes turn it into problem+json. */
export class QualityRequestError extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_tracking_plan' | 'invalid_request',
    readonly field: string | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'QualityRequestError';
  }
}

export interface PlanLoadLog {
  warn(details: object, message: string): void;
}

/**
 * Tracking plans per source, kept compiled in memory for the write path. The server is the
 * only one writing plans to its data directory (one server per data dir), so updating the
 * cache on PUT and DELETE keeps it exact.
 */
export class TrackingPlansService implements PlanLookup {
  private readonly compiled = new Map<string, CompiledPlan>();

  constructor(
    private readonly store: Pick<QualityStore, 'listPlans' | 'getPlan' | 'putPlan' | 'deletePlan'>,
    private readonly sourceExists: (sourceId: string) => Promise<boolean>,
    private readonly clock: Clock,
  ) {}

  /** Compiles every stored plan; one that no longer compiles is skipped with a warning. */
  load(log: PlanLoadLog): void {
    this.compiled.clear();
    for (const record of this.store.listPlans()) {
      const result = compileTrackingPlan(record.plan);
      if (result.ok) this.compiled.set(record.sourceId, result.plan);
      else log.warn({ source: record.sourceId, detail: result.detail }, 'tracking plan not used');
    }
  }

  planFor(sourceId: string): CompiledPlan | undefined {
    return this.compiled.get(sourceId);
  }

  async get(sourceId: string): Promise<TrackingPlanView> {
    await this.requireSource(sourceId);
    const record = this.store.getPlan(sourceId);
    if (record === undefined)
      throw new QualityRequestError(
        'not_found',
        undefined,
        `Source ${sourceId} has no tracking plan`,
      );
    return toView(record);
  }

  async put(sourceId: string, plan: TrackingPlan): Promise<TrackingPlanView> {
    await this.requireSource(sourceId);
    const result = compileTrackingPlan(plan);
    if (!result.ok)
      throw new QualityRequestError('invalid_tracking_plan', result.field, result.detail);
    const record = this.store.putPlan(sourceId, plan, this.clock.now());
    this.compiled.set(sourceId, result.plan);
    return toView(record);
  }

  async delete(sourceId: string): Promise<void> {
    await this.requireSource(sourceId);
    const deleted = this.store.deletePlan(sourceId);
    this.compiled.delete(sourceId);
    if (!deleted)
      throw new QualityRequestError(
        'not_found',
        undefined,
        `Source ${sourceId} has no tracking plan`,
      );
  }

  private async requireSource(sourceId: string): Promise<void> {
    if (!(await this.sourceExists(sourceId)))
      throw new QualityRequestError('not_found', undefined, `No source with id ${sourceId}`);
  }
}

function toView(record: TrackingPlanRecord): TrackingPlanView {
  return {
    sourceId: record.sourceId,
    ...record.plan,
    version: record.version,
    updatedAt: formatIsoTimestamp(record.updatedAt),
  };
}
