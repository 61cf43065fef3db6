import type {
  Condition,
  JourneyDuration,
  JourneyEventFilter,
  JourneyInput,
  JourneyStep,
} from '@attune/contracts';
import { journeyDurationMs, purposeOf } from './action-kinds.js';
import {
  checkCondition,
  compareValue,
  compileCondition,
  parseTimeOfDay,
  valueAt,
  type CompiledCondition,
} from '@attune/engine';

/** Bad definitions: problem+json `invalid_journey` (or the code given) at `field`. */
export class JourneyDefinitionError extends Error {
  constructor(
    readonly code:
      | 'invalid_journey'
      | 'invalid_condition'
      | 'unknown_segment'
      | 'invalid_template'
      | 'unknown_purpose',
    readonly field: string,
    detail: string,
  ) {
    super(detail);
  }
}

/** What a definition may refer to, and what it may use, in this server. */
export interface DefinitionContext {
  segmentExists(id: string): boolean;
  /** The parse error of a Liquid template, or null. */
  templateProblem(template: string): string | null;
  /** Why email cannot be sent here (no SMTP server configured), or null. */
  emailUnavailable: string | null;
  /** Why webhooks cannot be signed here (no secret configured), or null. */
  webhooksUnavailable: string | null;
  /** Whether the consent policy has this purpose. */
  purposeExists(purpose: string): boolean;
}

/** A journey version ready to run: its conditions compiled. */
export interface CompiledJourney {
  id: string;
  version: number;
  definition: JourneyInput;
  /** Compiled conditions by the JSON pointer of where they are in the definition. */
  conditions: Map<string, CompiledCondition>;
  goalWithinMs: number;
}

export const defaultGoalWithin: JourneyDuration = { amount: 7, unit: 'days' };

/** Whether an event (name and properties) is one a filter counts. */
export function eventMatches(
  filter: JourneyEventFilter,
  name: string | null,
  properties: Readonly<Record<string, unknown>>,
  at: number,
): boolean {
  if (name !== filter.event) return false;
  return (filter.where ?? []).every((f) => compareValue(valueAt(properties, f.property), f, at));
}

/** Checks a definition beyond its schema and compiles its conditions. */
export function compileJourney(
  id: string,
  version: number,
  definition: JourneyInput,
  context: DefinitionContext,
): CompiledJourney {
  const conditions = new Map<string, CompiledCondition>();
  const condition = (tree: unknown, at: string) => {
    const [issue] = checkCondition(tree, at);
    if (issue !== undefined)
      throw new JourneyDefinitionError('invalid_condition', issue.path, issue.message);
    const compiled = compileCondition(tree as Condition);
    // Like decisions: journeys read what the processor keeps per profile; history is a segment's.
    if (compiled.trails.length > 0)
      throw new JourneyDefinitionError(
        'invalid_condition',
        at,
        'A journey condition cannot test event history: define a segment with that condition and refer to it with {"type": "segment", "segment": "<id>"}, or use a wait_for step',
      );
    for (const segment of compiled.dependencies.segments)
      if (!context.segmentExists(segment))
        throw new JourneyDefinitionError(
          'unknown_segment',
          at,
          `Segment ${segment} does not exist`,
        );
    conditions.set(at, compiled);
  };

  const { entry, steps } = definition;
  if ('segment' in entry && !context.segmentExists(entry.segment))
    throw new JourneyDefinitionError(
      'unknown_segment',
      '/entry/segment',
      `Segment ${entry.segment} does not exist`,
    );
  if ('event' in entry && entry.condition !== undefined)
    condition(entry.condition, '/entry/condition');
  const stepIds = new Set(Object.keys(steps));
  const refer = (target: string, at: string) => {
    if (!stepIds.has(target))
      throw new JourneyDefinitionError('invalid_journey', at, `No step ${target} in this journey`);
  };
  refer(definition.start, '/start');
  for (const [stepId, step] of Object.entries(steps)) {
    const at = `/steps/${stepId}`;
    for (const [target, where] of nextOf(step)) refer(target, `${at}${where}`);
    checkStep(step, at, context, condition);
  }
  const quiet = definition.quietHours;
  if (quiet !== undefined && quiet.from === quiet.to)
    throw new JourneyDefinitionError(
      'invalid_journey',
      '/quietHours',
      'Quiet hours must start and end at different times',
    );
  checkLoops(steps);
  return {
    id,
    version,
    definition,
    conditions,
    goalWithinMs: journeyDurationMs(definition.goal?.within ?? defaultGoalWithin),
  };
}

function checkStep(
  step: JourneyStep,
  at: string,
  context: DefinitionContext,
  condition: (tree: unknown, at: string) => void,
): void {
  switch (step.type) {
    case 'wait':
      if ((step.duration === undefined) === (step.until === undefined))
        throw new JourneyDefinitionError(
          'invalid_journey',
          at,
          'A wait has either a duration or until (a time of day), not both',
        );
      if (step.until !== undefined && parseTimeOfDay(step.until) === null)
        throw new JourneyDefinitionError('invalid_journey', `${at}/until`, 'until must be HH:MM');
      return;
    case 'branch':
      step.branches.forEach((b, i) => condition(b.condition, `${at}/branches/${i}/condition`));
      return;
    case 'split': {
      const total = step.paths.reduce((sum, p) => sum + p.percent, 0);
      if (total !== 100)
        throw new JourneyDefinitionError(
          'invalid_journey',
          `${at}/paths`,
          `The percentages sum to ${total}, not 100`,
        );
      return;
    }
    case 'action': {
      const action = step.action;
      if (action.type === 'email') {
        if (context.emailUnavailable !== null)
          throw new JourneyDefinitionError(
            'invalid_journey',
            `${at}/action`,
            context.emailUnavailable,
          );
        if (action.html === undefined && action.text === undefined)
          throw new JourneyDefinitionError(
            'invalid_journey',
            `${at}/action`,
            'An email needs html, text or both',
          );
        for (const field of ['subject', 'html', 'text'] as const) {
          const template = action[field];
          const problem = template === undefined ? null : context.templateProblem(template);
          if (problem !== null)
            throw new JourneyDefinitionError('invalid_template', `${at}/action/${field}`, problem);
        }
      }
      const purpose = purposeOf(action);
      if (purpose !== null && !context.purposeExists(purpose))
        throw new JourneyDefinitionError(
          'unknown_purpose',
          `${at}/action/purpose`,
          `${purpose} is not a purpose of the consent policy`,
        );
      if (action.type === 'webhook' && context.webhooksUnavailable !== null)
        throw new JourneyDefinitionError(
          'invalid_journey',
          `${at}/action`,
          context.webhooksUnavailable,
        );
      return;
    }
    default:
      return;
  }
}

/** The steps a step can lead to, with the pointer suffix of each reference. */
export function nextOf(step: JourneyStep): [string, string][] {
  switch (step.type) {
    case 'wait':
      return [[step.next, '/next']];
    case 'wait_for':
      return [
        [step.onEvent, '/onEvent'],
        [step.onTimeout, '/onTimeout'],
      ];
    case 'branch':
      return [
        ...step.branches.map((b, i): [string, string] => [b.next, `/branches/${i}/next`]),
        [step.otherwise, '/otherwise'],
      ];
    case 'split':
      return step.paths.map((p, i): [string, string] => [p.next, `/paths/${i}/next`]);
    case 'action':
      return step.next === undefined ? [] : [[step.next, '/next']];
    case 'exit':
      return [];
  }
}

/**
 * A loop must pass through a wait or wait_for: a loop of branches and actions alone would
 * run (and send) without end in one go.
 */
function checkLoops(steps: Record<string, JourneyStep>): void {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const step = steps[id];
    if (step === undefined || step.type === 'wait' || step.type === 'wait_for') return;
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open')
      throw new JourneyDefinitionError(
        'invalid_journey',
        `/steps/${id}`,
        `Steps ${[...path.slice(path.indexOf(id)), id].join(' → ')} loop without a wait`,
      );
    state.set(id, 'open');
    for (const [next] of nextOf(step)) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  for (const id of Object.keys(steps)) visit(id, []);
}
