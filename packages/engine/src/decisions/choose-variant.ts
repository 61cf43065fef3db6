import type { Condition, DecisionReason, RuleInput, VariantInput } from '@attune/contracts';
import {
  compileCondition,
  type CompiledCondition,
  type ConditionInput,
} from '../conditions/compile-condition.js';

/** A placement's definition, its conditions already checked (`checkCondition`). */
export interface PlacementDefinition {
  id: string;
  version: number;
  rules: readonly RuleInput[];
  fallback: VariantInput;
}

export interface CompiledRule {
  id: string;
  variant: VariantInput;
  override: boolean;
  priority: number;
  /** The schedule in epoch ms: applies from `start` (inclusive) to `end` (exclusive). */
  start: number | null;
  end: number | null;
  condition: CompiledCondition;
}

export interface CompiledPlacement {
  id: string;
  version: number;
  /** In the order they are tried: overrides first, then by priority, then as listed. */
  rules: CompiledRule[];
  fallback: VariantInput;
}

export interface VariantChoice {
  variant: VariantInput;
  /** The rule that chose it; null for the fallback. */
  rule: CompiledRule | null;
  reason: DecisionReason;
}

const instant = (text: string | undefined): number | null =>
  text === undefined ? null : Date.parse(text);

export function compilePlacement(definition: PlacementDefinition): CompiledPlacement {
  const rules = definition.rules.map((rule, index) => ({
    index,
    compiled: {
      id: rule.id,
      variant: rule.variant,
      override: rule.override === true,
      priority: rule.priority ?? 0,
      start: instant(rule.schedule?.start),
      end: instant(rule.schedule?.end),
      condition: compileCondition(rule.condition as Condition),
    },
  }));
  rules.sort(
    (a, b) =>
      Number(b.compiled.override) - Number(a.compiled.override) ||
      b.compiled.priority - a.compiled.priority ||
      a.index - b.index,
  );
  return {
    id: definition.id,
    version: definition.version,
    rules: rules.map((r) => r.compiled),
    fallback: definition.fallback,
  };
}

const scheduled = (rule: CompiledRule, now: number): boolean =>
  (rule.start === null || now >= rule.start) && (rule.end === null || now < rule.end);

/**
 * The variant a profile sees: the first rule (in `rules` order) that is scheduled now and
 * whose condition holds, else the fallback. A profile in the holdout always gets the fallback.
 */
export function chooseVariant(
  placement: CompiledPlacement,
  input: ConditionInput,
  options: { holdout: boolean },
): VariantChoice {
  if (options.holdout) return { variant: placement.fallback, rule: null, reason: 'holdout' };
  for (const rule of placement.rules) {
    if (!scheduled(rule, input.now) || !rule.condition.evaluate(input)) continue;
    return { variant: rule.variant, rule, reason: rule.override ? 'override' : 'rule' };
  }
  return { variant: placement.fallback, rule: null, reason: 'no_rule' };
}
