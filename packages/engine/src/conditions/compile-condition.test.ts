import type { Condition, EventFilterSpec } from '@attune/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCondition } from './check-condition.js';
import { compareValue, durationMs, instantOf, valueAt } from './compare-values.js';
import {
  compileCondition,
  type CompiledCondition,
  type ConditionInput,
} from './compile-condition.js';
import {
  addToTrail,
  emptyTrail,
  trailMatches,
  type EventTrail,
  type TrailEvent,
} from './event-trails.js';

const minute = 60_000;
const hour = 3_600_000;

/** Folds events (in the order given) into the trails a compiled condition reads. */
function fold(
  compiled: CompiledCondition,
  events: readonly TrailEvent[],
): Record<string, EventTrail> {
  const trails: Record<string, EventTrail> = {};
  for (const e of events) {
    for (const spec of compiled.trails) {
      if (!trailMatches(spec, e)) continue;
      const trail = (trails[spec.key] ??= emptyTrail());
      addToTrail(trail, e.timestamp, spec.keep);
    }
  }
  return trails;
}

function input(
  trails: Readonly<Record<string, EventTrail>>,
  now: number,
  more: Partial<ConditionInput> = {},
): ConditionInput {
  return {
    now,
    traits: {},
    computed: {},
    trails,
    isMember: () => false,
    stage: null,
    consent: () => null,
    ...more,
  };
}

describe('compileCondition', () => {
  const abandoned: Condition = {
    type: 'not_followed',
    first: { event: 'Product Added' },
    by: { event: 'Order Completed' },
    within: { amount: 24, unit: 'hours' },
  };

  it('cart abandonment holds from exactly 24 h after the add, and says when', () => {
    const compiled = compileCondition(abandoned);
    const t = Date.UTC(2026, 10, 1, 9);
    const trails = fold(compiled, [{ name: 'Product Added', properties: {}, timestamp: t }]);
    expect(compiled.evaluate(input(trails, t + 23 * hour))).toBe(false);
    expect(compiled.nextChange(input(trails, t + 1000))).toBe(t + 24 * hour);
    expect(compiled.evaluate(input(trails, t + 24 * hour - 1))).toBe(false);
    expect(compiled.evaluate(input(trails, t + 24 * hour))).toBe(true);
    expect(compiled.nextChange(input(trails, t + 24 * hour))).toBeNull();
  });

  it('an order 23 h after the add prevents cart abandonment; a new add restarts the clock', () => {
    const compiled = compileCondition(abandoned);
    const t = Date.UTC(2026, 10, 1, 9);
    const bought = fold(compiled, [
      { name: 'Product Added', properties: {}, timestamp: t },
      { name: 'Order Completed', properties: {}, timestamp: t + 23 * hour },
    ]);
    expect(compiled.evaluate(input(bought, t + 48 * hour))).toBe(false);
    const again = fold(compiled, [
      { name: 'Product Added', properties: {}, timestamp: t },
      { name: 'Order Completed', properties: {}, timestamp: t + 23 * hour },
      { name: 'Product Added', properties: {}, timestamp: t + 30 * hour },
    ]);
    expect(compiled.evaluate(input(again, t + 53 * hour))).toBe(false);
    expect(compiled.evaluate(input(again, t + 54 * hour))).toBe(true);
  });

  it('counts events in a sliding window and names the instant the count drops', () => {
    const viewedThree: Condition = {
      type: 'event',
      event: 'Product Viewed',
      where: [{ property: 'category', op: 'eq', value: 'outdoor', caseInsensitive: true }],
      count: { op: 'at_least', value: 3 },
      window: { last: { amount: 7, unit: 'days' } },
    };
    const compiled = compileCondition(viewedThree);
    const day = 86_400_000;
    const views = [0, 1, 2, 5].map((d) => ({
      name: 'Product Viewed',
      properties: { category: d === 5 ? 'Indoor' : 'Outdoor' },
      timestamp: d * day,
    }));
    const trails = fold(compiled, views);
    expect(compiled.evaluate(input(trails, 6 * day))).toBe(true);
    // The view on day 0 leaves the window at day 7.
    expect(compiled.nextChange(input(trails, 6 * day))).toBe(7 * day);
    expect(compiled.evaluate(input(trails, 7 * day))).toBe(false);
    expect(compiled.dependencies.events).toEqual(new Set(['Product Viewed']));
  });

  it('evaluates traits, computed values, segments, stage and consent', () => {
    const compiled = compileCondition({
      type: 'and',
      conditions: [
        { type: 'trait', trait: 'plan', op: 'in', value: ['PRO', 'team'], caseInsensitive: true },
        { type: 'trait', trait: 'address.city', op: 'starts_with', value: 'Ber' },
        { type: 'computed', path: 'rfm.frequency', op: 'gte', value: 2 },
        { type: 'segment', segment: 'vip' },
        { type: 'segment', segment: 'churned', member: false },
        { type: 'stage', op: 'in', value: ['purchase', 'retention'] },
        { type: 'consent', purpose: 'marketing_email', state: 'granted' },
        {
          type: 'not',
          condition: {
            type: 'trait',
            trait: 'signup',
            op: 'within_last',
            value: { amount: 30, unit: 'days' },
          },
        },
      ],
    });
    const now = Date.UTC(2026, 10, 23);
    const profile = input({}, now, {
      traits: { plan: 'pro', address: { city: 'Berlin' }, signup: '2026-11-01T00:00:00Z' },
      computed: { rfm: { frequency: 3 } },
      isMember: (id) => id === 'vip',
      stage: 'retention',
      consent: (purpose) => (purpose === 'marketing_email' ? true : null),
    });
    expect(compiled.evaluate(profile)).toBe(false); // signed up 22 days ago
    expect(compiled.nextChange(profile)).toBe(Date.UTC(2026, 11, 1)); // 30 days after signup
    expect(compiled.evaluate({ ...profile, now: Date.UTC(2026, 11, 1) })).toBe(true);
    expect(compiled.dependencies).toMatchObject({
      traits: new Set(['plan', 'address', 'signup']),
      segments: new Set(['vip', 'churned']),
      consentPurposes: new Set(['marketing_email']),
      stage: true,
      computed: true,
    });
  });
});

// ---- The property: trails folded event by event agree with a plain scan of all history,
// ---- whatever the arrival order, and nothing changes before `nextChange` says it may.

const names = ['A', 'B', 'C'] as const;

const filterArb: fc.Arbitrary<EventFilterSpec> = fc.record(
  {
    event: fc.constantFrom(...names),
    where: fc.array(
      fc.record({
        property: fc.constant('p'),
        op: fc.constantFrom('eq', 'gte', 'lt'),
        value: fc.integer({ min: 0, max: 3 }),
      }),
      { maxLength: 1 },
    ),
  },
  { requiredKeys: ['event'] },
);

const durationArb = fc.record({
  amount: fc.integer({ min: 1, max: 60 }),
  unit: fc.constant('minutes' as const),
});

const leafArb = fc.oneof(
  fc.record(
    {
      type: fc.constant('event' as const),
      event: fc.constantFrom(...names),
      where: fc.constant([{ property: 'p', op: 'gte' as const, value: 1 }]).map((w) => [...w]),
      count: fc.record({
        op: fc.constantFrom('at_least' as const, 'at_most' as const, 'exactly' as const),
        value: fc.integer({ min: 0, max: 3 }),
      }),
      window: fc.oneof(
        fc.record({ last: durationArb }),
        fc.record({
          from: fc.integer({ min: 0, max: 50 }).map((m) => m * minute),
          to: fc.integer({ min: 51, max: 120 }).map((m) => m * minute),
        }),
      ),
    },
    { requiredKeys: ['type', 'event'] },
  ),
  fc.record({
    type: fc.constant('event_time' as const),
    event: fc.constantFrom(...names),
    which: fc.constantFrom('first' as const, 'last' as const),
    op: fc.constantFrom('before' as const, 'after' as const),
    value: fc.integer({ min: 0, max: 120 }).map((m) => m * minute),
  }),
  fc.record({
    type: fc.constant('event_time' as const),
    event: fc.constantFrom(...names),
    which: fc.constantFrom('first' as const, 'last' as const),
    op: fc.constant('within_last' as const),
    value: durationArb,
  }),
  fc.record({
    type: fc.constant('sequence' as const),
    first: filterArb,
    then: filterArb,
    within: durationArb,
  }),
  fc.record({
    type: fc.constant('not_followed' as const),
    first: filterArb,
    by: filterArb,
    within: durationArb,
  }),
);

const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafArb,
    fc.record({
      type: fc.constantFrom('and' as const, 'or' as const),
      conditions: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ type: fc.constant('not' as const), condition: tie('node') }),
  ),
})).node;

const eventArb: fc.Arbitrary<TrailEvent> = fc.record({
  name: fc.constantFrom(...names),
  properties: fc.record({ p: fc.integer({ min: 0, max: 3 }) }),
  timestamp: fc.integer({ min: 0, max: 120 }).map((m) => m * minute),
});

/** The reference: each condition read straight off the whole history. */
function oracle(c: Condition, events: readonly TrailEvent[], now: number): boolean {
  const matching = (f: EventFilterSpec) =>
    events.filter(
      (e) =>
        e.name === f.event &&
        (f.where ?? []).every((w) =>
          compareValue(valueAt(e.properties, w.property), w, e.timestamp),
        ),
    );
  switch (c.type) {
    case 'and':
      return c.conditions.every((x) => oracle(x, events, now));
    case 'or':
      return c.conditions.some((x) => oracle(x, events, now));
    case 'not':
      return !oracle(c.condition, events, now);
    case 'event': {
      let times = matching(c).map((e) => e.timestamp);
      const w = c.window;
      if (w !== undefined && 'last' in w) times = times.filter((t) => t > now - durationMs(w.last));
      else if (w !== undefined)
        times = times.filter(
          (t) => t >= (instantOf(w.from) ?? -Infinity) && t < (instantOf(w.to) ?? Infinity),
        );
      const n = times.length;
      const { op, value } = c.count ?? { op: 'at_least', value: 1 };
      return op === 'at_least' ? n >= value : op === 'at_most' ? n <= value : n === value;
    }
    case 'event_time': {
      const times = matching(c).map((e) => e.timestamp);
      if (times.length === 0) return false;
      const t = c.which === 'first' ? Math.min(...times) : Math.max(...times);
      if (c.op === 'within_last') return t > now - durationMs(c.value as never);
      const limit = c.value as number;
      return c.op === 'before' ? t < limit : t > limit;
    }
    case 'sequence': {
      const xs = matching(c.first);
      const ys = matching(c.then);
      const span = durationMs(c.within);
      return xs.some((x) =>
        ys.some((y) => y !== x && y.timestamp >= x.timestamp && y.timestamp - x.timestamp <= span),
      );
    }
    case 'not_followed': {
      const xs = matching(c.first).map((e) => e.timestamp);
      if (xs.length === 0) return false;
      const a = Math.max(...xs);
      const span = durationMs(c.within);
      return (
        now >= a + span && !matching(c.by).some((e) => e.timestamp >= a && e.timestamp <= a + span)
      );
    }
    default:
      throw new Error(`not generated: ${c.type}`);
  }
}

/** Sequences over two different filters that one event can satisfy both of are ambiguous. */
function unambiguous(c: Condition): boolean {
  switch (c.type) {
    case 'and':
    case 'or':
      return c.conditions.every(unambiguous);
    case 'not':
      return unambiguous(c.condition);
    case 'sequence':
      return c.first.event !== c.then.event || JSON.stringify(c.first) === JSON.stringify(c.then);
    default:
      return true;
  }
}

describe('compiled conditions (property)', () => {
  it('agree with a scan of the whole history, in any arrival order, at any instant', () => {
    fc.assert(
      fc.property(
        conditionArb.filter(unambiguous),
        fc.array(eventArb, { maxLength: 40 }),
        // Whole minutes (where events and window edges fall) and instants between them.
        fc.array(
          fc.oneof(
            fc.integer({ min: 0, max: 200 }).map((m) => m * minute),
            fc.integer({ min: 0, max: 200 * minute }),
          ),
          { minLength: 1, maxLength: 8 },
        ),
        // Whole minutes after an event: where windows of whole minutes end.
        fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 6 }),
        (condition, events, grid, afterEvents) => {
          const instants = [
            ...grid,
            ...afterEvents.flatMap((m, i) => {
              const e = events[i];
              return e === undefined ? [] : [e.timestamp + m * minute];
            }),
          ];
          expect(checkCondition(condition)).toEqual([]);
          const compiled = compileCondition(condition);
          const trails = fold(compiled, events);
          const shuffled = fold(compiled, [...events].reverse());
          for (const now of instants) {
            const expected = oracle(condition, events, now);
            expect(compiled.evaluate(input(trails, now))).toBe(expected);
            expect(compiled.evaluate(input(shuffled, now))).toBe(expected);
            // Nothing changes before the next change it names (a timer set then is never late).
            const next = compiled.nextChange(input(trails, now));
            if (next !== null) expect(next).toBeGreaterThan(now);
            const horizon = next ?? now + 500 * minute;
            for (const later of [now + 1, Math.floor((now + horizon) / 2), horizon - 1]) {
              if (later <= now || later >= horizon) continue;
              expect(oracle(condition, events, later)).toBe(expected);
            }
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
