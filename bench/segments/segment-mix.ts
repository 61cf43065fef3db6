/**
 * The benchmark's 100 segments: a deterministic mix (the same seed gives the same
 * definitions) of what a shop defines on the ingest benchmark's events — counts in windows,
 * price and revenue thresholds on `Product Viewed` / `Order Completed`, cart abandonment
 * (`not_followed`), `plan` traits, first/last times, sequences, and a few segments built on
 * other segments. One of them is the probe segment of the latency phase.
 */
import type { Condition } from '@attune/contracts';
import { Random } from '../ingest/random.js';

export interface SegmentDefinition {
  id: string;
  name: string;
  condition: Condition;
}

/** Orders of at least this much: no generated order reaches it (they stay under ~$520). */
export const probeRevenue = 1000;
export const probeSegmentId = 'high-value-order';

const days = (amount: number) => ({ amount, unit: 'days' as const });
const hours = (amount: number) => ({ amount, unit: 'hours' as const });
const plans = ['member', 'guest'] as const;

/** How many of each kind; they add up to 100 with the probe segment. */
const mix = {
  counts: 20,
  viewedPrice: 18,
  orderRevenue: 14,
  abandoned: 12,
  plan: 10,
  times: 8,
  compound: 11,
  references: 6,
} as const;

export function segmentMix(seed: number): SegmentDefinition[] {
  const r = new Random(seed * 7919 + 17);
  const out: SegmentDefinition[] = [];
  const add = (slug: string, name: string, condition: Condition): void => {
    const id = `s${String(out.length + 1).padStart(3, '0')}-${slug}`;
    out.push({ id, name, condition });
  };
  const trackEvents = ['Product Viewed', 'Product Added', 'Order Completed'] as const;

  for (let i = 0; i < mix.counts; i++) {
    const event = r.pick(trackEvents);
    const count = 1 + r.int(event === 'Order Completed' ? 2 : 5);
    const window = r.pick([7, 14, 30, 45]);
    add(`count-${i}`, `${event} at least ${count}× in ${window} days`, {
      type: 'event',
      event,
      count: { op: 'at_least', value: count },
      window: { last: days(window) },
    });
  }
  for (let i = 0; i < mix.viewedPrice; i++) {
    const price = 20 + r.int(22) * 10;
    const windowed = r.next() < 0.6;
    add(`viewed-price-${i}`, `Viewed a product of $${price}+`, {
      type: 'event',
      event: 'Product Viewed',
      where: [{ property: 'price', op: 'gte', value: price }],
      ...(windowed
        ? {
            count: { op: 'at_least', value: 1 + r.int(3) },
            window: { last: days(r.pick([7, 30])) },
          }
        : {}),
    });
  }
  for (let i = 0; i < mix.orderRevenue; i++) {
    const revenue = 50 + r.int(40) * 10;
    add(`order-revenue-${i}`, `Order of $${revenue}+ in 30 days`, {
      type: 'event',
      event: 'Order Completed',
      where: [{ property: 'revenue', op: r.pick(['gt', 'gte'] as const), value: revenue }],
      window: { last: days(r.pick([30, 60, 90])) },
    });
  }
  for (let i = 0; i < mix.abandoned; i++) {
    const within = r.pick([1, 4, 24, 72]);
    const where =
      r.next() < 0.5
        ? [{ property: 'price', op: 'gte' as const, value: 50 + r.int(10) * 20 }]
        : undefined;
    add(`abandoned-cart-${i}`, `Abandoned cart (${within} h)`, {
      type: 'not_followed',
      first: { event: 'Product Added', ...(where === undefined ? {} : { where }) },
      by: { event: 'Order Completed' },
      within: hours(within),
    });
  }
  for (let i = 0; i < mix.plan; i++) {
    const plan = r.pick(plans);
    const alone = i < 2;
    const trait: Condition = {
      type: 'trait',
      trait: 'plan',
      op: r.next() < 0.7 ? 'eq' : 'neq',
      value: plan,
      caseInsensitive: true,
    };
    add(
      `plan-${i}`,
      alone ? `Plan ${trait.op} ${plan}` : `Plan ${plan}, active recently`,
      alone
        ? trait
        : {
            type: 'and',
            conditions: [
              trait,
              {
                type: 'event',
                event: r.pick(trackEvents),
                window: { last: days(r.pick([7, 30])) },
              },
            ],
          },
    );
  }
  for (let i = 0; i < mix.times; i++) {
    if (i % 2 === 0) {
      add(`last-order-${i}`, 'Ordered recently', {
        type: 'event_time',
        event: 'Order Completed',
        which: r.pick(['first', 'last'] as const),
        op: 'within_last',
        value: days(r.pick([7, 14, 30])),
      });
    } else {
      add(`viewed-then-added-${i}`, 'Viewed, then added', {
        type: 'sequence',
        first: { event: 'Product Viewed' },
        then: { event: 'Product Added' },
        within: hours(r.pick([1, 24, 72])),
      });
    }
  }
  for (let i = 0; i < mix.compound; i++) {
    const price = 100 + r.int(10) * 10;
    add(`compound-${i}`, 'Browsing without buying', {
      type: 'and',
      conditions: [
        {
          type: 'event',
          event: 'Product Viewed',
          where: [{ property: 'price', op: 'gte', value: price }],
          count: { op: 'at_least', value: 1 + r.int(2) },
          window: { last: days(30) },
        },
        {
          type: 'not',
          condition: {
            type: 'event',
            event: 'Order Completed',
            window: { last: days(r.pick([14, 30])) },
          },
        },
        ...(r.next() < 0.5
          ? [{ type: 'trait' as const, trait: 'plan', op: 'exists' as const }]
          : []),
      ],
    });
  }
  out.push({
    id: probeSegmentId,
    name: 'High-value order',
    condition: {
      type: 'event',
      event: 'Order Completed',
      where: [{ property: 'revenue', op: 'gte', value: probeRevenue }],
    },
  });
  const referable = out.filter((s) => s.id !== probeSegmentId);
  for (let i = 0; i < mix.references; i++) {
    const a = r.pick(referable);
    const b = r.pick(referable.filter((s) => s.id !== a.id));
    add(`ref-${i}`, `${a.name} and ${i % 2 === 0 ? '' : 'not '}${b.name}`, {
      type: 'and',
      conditions: [
        { type: 'segment', segment: a.id },
        { type: 'segment', segment: b.id, member: i % 2 === 0 },
      ],
    });
  }
  return out;
}
