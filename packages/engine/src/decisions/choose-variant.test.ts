import type { RuleInput } from '@attune/contracts';
import { describe, expect, it } from 'vitest';
import { assertCondition, checkCondition } from '../conditions/check-condition.js';
import type { ConditionInput } from '../conditions/compile-condition.js';
import { capsCounting, chooseVariant, compilePlacement } from './choose-variant.js';

const now = Date.parse('2026-11-23T12:00:00Z');

function input(over: Partial<ConditionInput> = {}): ConditionInput {
  return {
    now,
    traits: {},
    computed: {},
    trails: {},
    isMember: () => false,
    stage: null,
    consent: () => null,
    ...over,
  };
}

const variant = (id: string) => ({ id, payload: { banner: id } });
const rule = (id: string, condition: unknown, extra: Partial<RuleInput> = {}): RuleInput => ({
  id,
  condition,
  variant: variant(id),
  ...extra,
});
const outdoor = { type: 'segment', segment: 'outdoor-browsers' };
const placement = (rules: RuleInput[]) =>
  compilePlacement({ id: 'home_hero', version: 1, rules, fallback: variant('default') });

describe('chooseVariant', () => {
  it('takes the first rule that holds, else the fallback', () => {
    const p = placement([
      rule('vip', { type: 'trait', trait: 'plan', op: 'eq', value: 'vip' }),
      rule('outdoor', outdoor),
    ]);
    const member = input({ isMember: (id) => id === 'outdoor-browsers' });
    expect(chooseVariant(p, member, { holdout: false })).toMatchObject({
      variant: { id: 'outdoor' },
      rule: { id: 'outdoor' },
      reason: 'rule',
    });
    expect(
      chooseVariant(p, { ...member, traits: { plan: 'vip' } }, { holdout: false }).rule?.id,
    ).toBe('vip');
    expect(chooseVariant(p, input(), { holdout: false })).toEqual({
      variant: variant('default'),
      rule: null,
      reason: 'no_rule',
    });
  });

  it('orders by priority (higher first), ties as listed, and overrides before all', () => {
    const always = { type: 'not', condition: { type: 'segment', segment: 'nobody' } };
    const p = placement([
      rule('low', always, { priority: 1 }),
      rule('high', always, { priority: 5 }),
      rule('high-too', always, { priority: 5 }),
      rule('sale', always, { priority: -10, override: true }),
    ]);
    expect(p.rules.map((r) => r.id)).toEqual(['sale', 'high', 'high-too', 'low']);
    expect(chooseVariant(p, input(), { holdout: false })).toMatchObject({
      rule: { id: 'sale' },
      reason: 'override',
    });
  });

  it('applies a scheduled rule only from its start until its end', () => {
    const always = { type: 'not', condition: outdoor };
    const p = placement([
      rule('flash-sale', always, {
        override: true,
        schedule: { start: '2026-11-27T00:00:00Z', end: '2026-11-28T00:00:00Z' },
      }),
    ]);
    const at = (iso: string) =>
      chooseVariant(p, input({ now: Date.parse(iso) }), { holdout: false }).variant.id;
    expect(at('2026-11-26T23:59:59.999Z')).toBe('default');
    expect(at('2026-11-27T00:00:00Z')).toBe('flash-sale');
    expect(at('2026-11-27T23:59:59.999Z')).toBe('flash-sale');
    expect(at('2026-11-28T00:00:00Z')).toBe('default');
  });

  it('tests the request context: page path, UTM campaign, device, country', () => {
    const condition = {
      type: 'and',
      conditions: [
        { type: 'context', field: 'page.path', op: 'starts_with', value: '/outdoor' },
        {
          type: 'context',
          field: 'campaign.name',
          op: 'eq',
          value: 'WINTER',
          caseInsensitive: true,
        },
        { type: 'context', field: 'device.type', op: 'in', value: ['mobile', 'tablet'] },
        { type: 'context', field: 'location.country', op: 'neq', value: 'US' },
      ],
    };
    expect(checkCondition(condition, '', { allowContext: true })).toEqual([]);
    const p = placement([rule('winter', assertCondition(condition, { allowContext: true }))]);
    const context = {
      page: { path: '/outdoor/tents' },
      campaign: { name: 'winter' },
      device: { type: 'mobile' },
      location: { country: 'DE' },
    };
    expect(chooseVariant(p, input({ context }), { holdout: false }).variant.id).toBe('winter');
    const desktop = { ...context, device: { type: 'desktop' } };
    expect(chooseVariant(p, input({ context: desktop }), { holdout: false }).variant.id).toBe(
      'default',
    );
    // No context at all (a visitor the page told nothing about): the rule does not hold.
    expect(chooseVariant(p, input(), { holdout: false }).variant.id).toBe('default');
  });

  it('gives the fallback to a profile in the holdout, whatever holds', () => {
    const p = placement([rule('outdoor', outdoor, { override: true })]);
    const member = input({ isMember: () => true });
    expect(chooseVariant(p, member, { holdout: true })).toEqual({
      variant: variant('default'),
      rule: null,
      reason: 'holdout',
    });
  });
});

describe('context conditions', () => {
  it('are refused where there is no request (segments, stages, journeys)', () => {
    const condition = {
      type: 'or',
      conditions: [outdoor, { type: 'context', field: 'locale', op: 'eq', value: 'de-DE' }],
    };
    expect(checkCondition(condition)).toEqual([
      {
        path: '/conditions/1/type',
        message:
          '"context" conditions apply to decision rules only: there is no request context here',
      },
    ]);
    expect(
      checkCondition({ type: 'context', field: 'cookie', op: 'exists' }, '/rules/0/condition', {
        allowContext: true,
      })[0]?.path,
    ).toBe('/rules/0/condition/field');
  });
});

describe('chooseVariant with frequency caps', () => {
  const always = { type: 'not', condition: { type: 'segment', segment: 'nobody' } };
  const daily = { max: 2, per: { amount: 1, unit: 'days' as const } };

  it('passes over a capped variant to the next rule, and says so when none is left', () => {
    const p = placement([
      rule('sale', always, { variant: { id: 'sale', cap: daily } }),
      rule('outdoor', outdoor),
    ]);
    const reachedSale = (cap: { counter: string }) => cap.counter === 'home_hero\u0000sale';
    expect(chooseVariant(p, input(), { holdout: false, reached: () => false }).rule?.id).toBe(
      'sale',
    );
    const member = input({ isMember: (id) => id === 'outdoor-browsers' });
    expect(chooseVariant(p, member, { holdout: false, reached: reachedSale })).toMatchObject({
      rule: { id: 'outdoor' },
      reason: 'rule',
    });
    expect(chooseVariant(p, input(), { holdout: false, reached: reachedSale })).toEqual({
      variant: variant('default'),
      rule: null,
      reason: 'frequency_cap',
    });
  });

  it('gives the fallback once the placement cap is reached, but only when a rule held', () => {
    const p = compilePlacement({
      id: 'home_hero',
      version: 1,
      rules: [rule('outdoor', outdoor)],
      fallback: variant('default'),
      frequencyCap: daily,
    });
    expect(p.cap).toEqual({ counter: 'home_hero', max: 2, span: 86_400_000 });
    const member = input({ isMember: (id) => id === 'outdoor-browsers' });
    const reached = () => true;
    expect(chooseVariant(p, member, { holdout: false, reached }).reason).toBe('frequency_cap');
    expect(chooseVariant(p, input(), { holdout: false, reached }).reason).toBe('no_rule');
    expect(chooseVariant(p, member, { holdout: false }).reason).toBe('rule');
  });

  it('names the caps an impression counts toward', () => {
    const p = compilePlacement({
      id: 'home_hero',
      version: 1,
      rules: [rule('sale', always, { variant: { id: 'sale', cap: daily } }), rule('x', always)],
      fallback: variant('default'),
      frequencyCap: { max: 5, per: { amount: 1, unit: 'weeks' } },
    });
    const choice = chooseVariant(p, input(), { holdout: false });
    expect(capsCounting(p, choice).map((c) => c.counter)).toEqual([
      'home_hero',
      'home_hero\u0000sale',
    ]);
    const fallback = chooseVariant(p, input(), { holdout: true });
    expect(capsCounting(p, fallback)).toEqual([]);
    expect(compilePlacement({ ...p, rules: [], fallback: variant('d') }).capped).toBe(false);
  });
});
