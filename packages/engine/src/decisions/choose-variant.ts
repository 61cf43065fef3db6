import type {
  Condition,
  DecisionReason,
  FrequencyCap,
  RuleInput,
  VariantInput,
} from '@attune/contracts';
import { durationMs } from '../conditions/compare-values.js';
import type { ConditionInput } from '../conditions/compile-condition.js';
import { compileRuleSet, type CompiledRuleSet } from '../conditions/compile-rule-set.js';

/** A placement's definition, its conditions already checked (`checkCondition`). */
export interface PlacementDefinition {
  id: string;
  version: number;
  rules: readonly RuleInput[];
  fallback: VariantInput;
  frequencyCap?: FrequencyCap | null;
}

/** A frequency cap: at most `max` impressions in any `span` ms, counted under `counter`. */
export interface CompiledCap {
  /** The placement's id for its own cap; placement and variant ids for a variant's. */
  counter: string;
  max: number;
  span: number;
}

export interface CompiledRule {
  id: string;
  variant: VariantInput;
  override: boolean;
  priority: number;
  /** The schedule in epoch ms: applies from `start` (inclusive) to `end` (exclusive). */
  start: number | null;
  end: number | null;
  /** The variant's cap. */
  cap: CompiledCap | null;
}

export interface CompiledPlacement {
  id: string;
  version: number;
  /** In the order they are tried: overrides first, then by priority, then as listed. */
  rules: CompiledRule[];
  /** The rules' conditions, in the same order (their shared tests evaluated once). */
  conditions: CompiledRuleSet;
  fallback: VariantInput;
  /** The cap on the rules' variants together. */
  cap: CompiledCap | null;
  /** Whether it or any variant has a cap (impressions need recording). */
  capped: boolean;
}

export interface VariantChoice {
  variant: VariantInput;
  /** The rule that chose it; null for the fallback. */
  rule: CompiledRule | null;
  reason: DecisionReason;
}

const instant = (text: string | undefined): number | null =>
  text === undefined ? null : Date.parse(text);

const compileCap = (cap: FrequencyCap | null | undefined, counter: string): CompiledCap | null =>
  cap === undefined || cap === null ? null : { counter, max: cap.max, span: durationMs(cap.per) };

export function compilePlacement(definition: PlacementDefinition): CompiledPlacement {
  const rules = definition.rules.map((rule, index) => ({
    index,
    condition: rule.condition as Condition,
    compiled: {
      id: rule.id,
      variant: rule.variant,
      override: rule.override === true,
      priority: rule.priority ?? 0,
      start: instant(rule.schedule?.start),
      end: instant(rule.schedule?.end),
      cap: compileCap(rule.variant.cap, `${definition.id}\u0000${rule.variant.id}`),
    },
  }));
  rules.sort(
    (a, b) =>
      Number(b.compiled.override) - Number(a.compiled.override) ||
      b.compiled.priority - a.compiled.priority ||
      a.index - b.index,
  );
  const cap = compileCap(definition.frequencyCap, definition.id);
  return {
    id: definition.id,
    version: definition.version,
    rules: rules.map((r) => r.compiled),
    conditions: compileRuleSet(rules.map((r) => r.condition)),
    fallback: definition.fallback,
    cap,
    capped: cap !== null || rules.some((r) => r.compiled.cap !== null),
  };
}

const scheduled = (rule: CompiledRule, now: number): boolean =>
  (rule.start === null || now >= rule.start) && (rule.end === null || now < rule.end);

export interface ChooseOptions {
  holdout: boolean;
  /** Whether the visitor has reached this cap (no caps are checked without it). */
  reached?: (cap: CompiledCap) => boolean;
}

/**
 * The variant a profile sees: the first rule (in `rules` order) that is scheduled now,
 * whose condition holds and whose variant is not capped, else the fallback. A profile in
 * the holdout always gets the fallback, and so does one who reached the placement's cap.
 */
export function chooseVariant(
  placement: CompiledPlacement,
  input: ConditionInput,
  options: ChooseOptions,
): VariantChoice {
  if (options.holdout) return { variant: placement.fallback, rule: null, reason: 'holdout' };
  const reached = placement.capped ? options.reached : undefined;
  let passedOver = false;
  // Conditions first, then the schedule: a rule out of schedule may have its condition
  // evaluated for nothing, which changes no answer (conditions only read).
  const conditions = placement.conditions.against(input);
  for (let k = conditions.firstHolding(0); k >= 0; k = conditions.firstHolding(k + 1)) {
    const rule = placement.rules[k] as CompiledRule;
    if (!scheduled(rule, input.now)) continue;
    if (reached !== undefined) {
      if (placement.cap !== null && reached(placement.cap)) {
        passedOver = true;
        break;
      }
      if (rule.cap !== null && reached(rule.cap)) {
        passedOver = true;
        continue;
      }
    }
    return { variant: rule.variant, rule, reason: rule.override ? 'override' : 'rule' };
  }
  return {
    variant: placement.fallback,
    rule: null,
    reason: passedOver ? 'frequency_cap' : 'no_rule',
  };
}

/** The caps an impression of this choice counts toward. */
export function capsCounting(placement: CompiledPlacement, choice: VariantChoice): CompiledCap[] {
  return choice.rule === null ? [] : capsWith(placement, choice.rule.cap);
}

/**
 * The caps a logged impression of a rule's variant counts toward under the placement's
 * caps now (restoring counts at start): the placement's, and the variant's if it has one.
 */
export function capsOfServed(placement: CompiledPlacement, variantId: string): CompiledCap[] {
  const rule = placement.rules.find((r) => r.variant.id === variantId && r.cap !== null);
  return capsWith(placement, rule?.cap ?? null);
}

function capsWith(placement: CompiledPlacement, variantCap: CompiledCap | null): CompiledCap[] {
  const caps: CompiledCap[] = [];
  if (placement.cap !== null) caps.push(placement.cap);
  if (variantCap !== null) caps.push(variantCap);
  return caps;
}
