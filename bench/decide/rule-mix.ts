/**
 * The benchmark's segments, placements and rules: a deterministic mix (the same seed gives
 * the same definitions) of what a shop's decision rules test — segment memberships, traits
 * (plan, country, lifetime value), stage, and the request context (page path, device,
 * campaign, locale), combined with and/or/not.
 */
import type { Condition, PlacementInput, RuleInput } from '@attune/contracts';
import { Random } from '../ingest/random.js';

export const plans = ['free', 'member', 'pro', 'vip'] as const;
export const countries = ['US', 'DE', 'FR', 'GB', 'NL', 'SE'] as const;
export const categories = ['outdoor', 'kitchen', 'garden', 'books', 'toys'] as const;
export const paths = ['/', '/outdoor', '/outdoor/tents', '/kitchen', '/sale', '/cart'] as const;
export const devices = ['mobile', 'desktop', 'tablet'] as const;
export const campaigns = ['winter', 'spring', 'newsletter', 'retarget'] as const;

export interface SegmentDefinition {
  id: string;
  name: string;
  condition: Condition;
}

/** 20 segments: viewed a category, ordered, a plan, a country, spent over an amount. */
export function segmentMix(count: number): SegmentDefinition[] {
  const out: SegmentDefinition[] = [];
  for (let i = 0; out.length < count; i++) {
    const kind = i % 4;
    if (kind === 0) {
      const category = categories[(i / 4) % categories.length] as string;
      out.push({
        id: `viewed-${category}-${i}`,
        name: `Viewed ${category}`,
        condition: {
          type: 'event',
          event: 'Product Viewed',
          where: [{ property: 'category', op: 'eq', value: category }],
        },
      });
    } else if (kind === 1) {
      out.push({
        id: `ordered-${i}`,
        name: 'Ordered',
        condition: {
          type: 'event',
          event: 'Order Completed',
          count: { op: 'at_least', value: 1 + (i % 3) },
        },
      });
    } else if (kind === 2) {
      out.push({
        id: `plan-${i}`,
        name: 'Plan',
        condition: { type: 'trait', trait: 'plan', op: 'eq', value: plans[i % plans.length] },
      });
    } else {
      out.push({
        id: `big-spender-${i}`,
        name: 'Big spender',
        condition: { type: 'trait', trait: 'ltv', op: 'gte', value: 100 + 50 * (i % 8) },
      });
    }
  }
  return out;
}

/** One leaf a rule tests, written once and translated for both engines. */
export type Leaf =
  | { kind: 'segment'; segment: string; member: boolean }
  | { kind: 'trait'; trait: 'plan' | 'country'; op: 'eq' | 'neq'; value: string }
  | { kind: 'trait'; trait: 'ltv'; op: 'gte' | 'lt'; value: number }
  | {
      kind: 'context';
      field: 'device.type' | 'campaign.name' | 'locale';
      op: 'in';
      value: string[];
    }
  | { kind: 'context'; field: 'page.path'; op: 'starts_with'; value: string };

/** A rule's condition: all of some leaves, or any of them. */
export interface RuleShape {
  all: boolean;
  leaves: Leaf[];
}

export function ruleShapes(count: number, segmentIds: readonly string[], seed: number) {
  const r = new Random(seed * 131 + 7);
  const leaf = (): Leaf => {
    switch (r.int(6)) {
      case 0:
      case 1:
        return { kind: 'segment', segment: r.pick(segmentIds), member: r.next() < 0.8 };
      case 2:
        return r.next() < 0.5
          ? {
              kind: 'trait',
              trait: 'plan',
              op: r.pick(['eq', 'neq'] as const),
              value: r.pick(plans),
            }
          : { kind: 'trait', trait: 'country', op: 'eq', value: r.pick(countries) };
      case 3:
        return {
          kind: 'trait',
          trait: 'ltv',
          op: r.pick(['gte', 'lt'] as const),
          value: 50 * (1 + r.int(10)),
        };
      case 4:
        return { kind: 'context', field: 'page.path', op: 'starts_with', value: r.pick(paths) };
      default: {
        const field = r.pick(['device.type', 'campaign.name', 'locale'] as const);
        const pool: readonly string[] =
          field === 'device.type'
            ? devices
            : field === 'campaign.name'
              ? campaigns
              : ['en-US', 'de-DE', 'fr-FR'];
        return { kind: 'context', field, op: 'in', value: [r.pick(pool), r.pick(pool)] };
      }
    }
  };
  return Array.from({ length: count }, (): RuleShape => ({
    all: r.next() < 0.7,
    leaves: Array.from({ length: 2 + r.int(3) }, leaf),
  }));
}

export function toCondition(shape: RuleShape): Condition {
  const leaves = shape.leaves.map((l): Condition => {
    if (l.kind === 'segment') return { type: 'segment', segment: l.segment, member: l.member };
    if (l.kind === 'trait') return { type: 'trait', trait: l.trait, op: l.op, value: l.value };
    return { type: 'context', field: l.field, op: l.op, value: l.value };
  });
  return { type: shape.all ? 'and' : 'or', conditions: leaves };
}

/** `count` placements of `rulesEach` rules; variants carry a small payload and a template. */
export function placementMix(
  count: number,
  rulesEach: number,
  segmentIds: readonly string[],
  seed: number,
): PlacementInput[] {
  const shapes = ruleShapes(count * rulesEach, segmentIds, seed);
  return Array.from({ length: count }, (_, p) => ({
    id: `placement-${String(p).padStart(2, '0')}`,
    name: `Placement ${p}`,
    rules: Array.from({ length: rulesEach }, (_, i): RuleInput => {
      const shape = shapes[p * rulesEach + i] as RuleShape;
      return {
        id: `rule-${i}`,
        priority: i % 3,
        condition: toCondition(shape),
        variant: {
          id: `variant-${i}`,
          payload: { image: `/img/p${p}-v${i}.jpg`, headline: `Offer ${i} for you` },
          ...(i % 2 === 0 ? { template: 'Hi {{ traits.name | default: "there" }}!' } : {}),
        },
      };
    }),
    fallback: { id: 'default', payload: { image: `/img/p${p}-default.jpg`, headline: 'Welcome' } },
  }));
}
