import { qualityReasons } from '@attune/contracts';
import { errorPointer, fieldIssuesOf, type SchemaError } from '@attune/engine';
import type { ValidateFunction } from 'ajv';
import type { Assessment } from '../ingestion/ingest-tally.js';
import type { MessageStep } from '../ingestion/ingestion.service.js';
import type { NewEvent } from '../event-log/event-log.store.js';
import type { PendingEvent } from '../ingestion/steps/normalize-message.js';
import type { StepOutcome } from '../ingestion/steps/step-outcome.js';
import type { CompiledPlan } from './compile-tracking-plan.js';

export interface PlanLookup {
  /** The source's compiled plan, or undefined: a Map lookup on the write path. */
  planFor(sourceId: string): CompiledPlan | undefined;
}

const unplanned: Assessment = { outcome: 'accepted', reason: qualityReasons.unplanned, issues: [] };
const conforms: Assessment = { outcome: 'accepted', reason: qualityReasons.conforms, issues: [] };

/**
 * Checks messages against their source's tracking plan: a track's `properties` against the
 * schema of its event name (page/screen: of its name), an identify's `traits` against
 * `identifyTraits`. In flag mode a violating message is stored and counted as flagged; in
 * reject mode it is refused with `tracking_plan_violation` and the pointer of the first
 * failing field. Messages the plan has no schema for pass and count as `unplanned`.
 */
export function trackingPlanStep(plans: PlanLookup): MessageStep {
  return (pending, pointer) => {
    const plan = plans.planFor(pending.event.sourceId);
    if (plan === undefined) return { kind: 'ok', value: pending };
    const target = schemaFor(plan, pending.event);
    if (target === null) return { kind: 'ok', value: pending };
    if (target.validate === undefined) return { kind: 'ok', value: assessed(pending, unplanned) };
    const value = pending.message[target.part];
    const subject = typeof value === 'object' && value !== null ? value : {};
    if (target.validate(subject)) return { kind: 'ok', value: assessed(pending, conforms) };

    const errors: SchemaError[] = target.validate.errors ?? [];
    const base = `/${target.part}`;
    const issues = fieldIssuesOf(errors, base);
    if (plan.mode === 'flag') {
      const assessment: Assessment = {
        outcome: 'flagged',
        reason: qualityReasons.violation,
        issues,
      };
      return { kind: 'ok', value: assessed(pending, assessment) };
    }
    return violation(errors, pointer, base, labelOf(pending.event), issues);
  };
}

/** The event with the step's verdict (built field by field: an object spread is slow here). */
function assessed(pending: PendingEvent, assessment: Assessment): PendingEvent {
  const { event, message, messageStale } = pending;
  return { event, message, messageStale, assessment };
}

interface Target {
  /** The part of the message the schema describes. */
  part: 'properties' | 'traits';
  /** undefined: the plan has no schema for this message. */
  validate: ValidateFunction | undefined;
}

/** The schema a message must meet, or null when plans do not cover its type. */
function schemaFor(plan: CompiledPlan, event: NewEvent): Target | null {
  switch (event.type) {
    case 'track':
      return { part: 'properties', validate: plan.events.get(event.event ?? '') };
    case 'page':
      return { part: 'properties', validate: plan.pages.get(event.event ?? '') };
    case 'screen':
      return { part: 'properties', validate: plan.screens.get(event.event ?? '') };
    case 'identify':
      return { part: 'traits', validate: plan.identifyTraits };
    default:
      return null;
  }
}

function labelOf(event: NewEvent): string {
  return event.type === 'identify' ? 'identify traits' : `${event.type} "${event.event ?? ''}"`;
}

function violation(
  errors: SchemaError[],
  pointer: string,
  base: string,
  label: string,
  issues: Assessment['issues'],
): StepOutcome<never> {
  const first = errors[0];
  const field =
    first === undefined ? `${pointer}${base}` : errorPointer(first, `${pointer}${base}`);
  const relative = first === undefined ? base : errorPointer(first, base);
  const what =
    first === undefined
      ? 'is invalid'
      : first.keyword === 'required'
        ? 'is required'
        : (first.message ?? 'is invalid');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more field(s))` : '';
  return {
    kind: 'reject',
    code: 'tracking_plan_violation',
    field,
    detail: `The tracking plan for ${label} is not met: ${relative} ${what}${more}`,
    issues,
  };
}
