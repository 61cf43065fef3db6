import { describe, expect, it } from 'vitest';
import {
  evaluateComputed,
  mergeComputed,
  updateComputed,
  type ComputedState,
  type ComputedTraitDefinition,
} from './computed-traits.js';
import { rfmDefinitions, rfmOf } from './rfm.js';

const day = 86_400_000;
const now = Date.UTC(2026, 10, 23);

describe('computed traits', () => {
  const defs: ComputedTraitDefinition[] = [
    {
      name: 'big_orders',
      function: 'count',
      event: 'Order Completed',
      where: [{ property: 'revenue', op: 'gte', value: 100 }],
    },
    { name: 'max_item', function: 'max', event: 'Product Added', property: 'price' },
    { name: 'last_category', function: 'last', event: 'Product Viewed', property: 'category' },
    { name: 'first_category', function: 'first', event: 'Product Viewed', property: 'category' },
    {
      name: 'categories',
      function: 'distinct_count',
      event: 'Product Viewed',
      property: 'category',
    },
    { name: 'min_shipping', function: 'min', event: 'Order Completed', property: 'shipping.cost' },
    { name: 'views_7d', function: 'count', event: 'Product Viewed', windowDays: 7 },
  ];

  it('aggregates properties with filters, nested paths and windows', () => {
    const state: ComputedState = {};
    updateComputed(
      state,
      defs,
      'Order Completed',
      { revenue: 150, shipping: { cost: 4 } },
      now - 20 * day,
    );
    updateComputed(
      state,
      defs,
      'Order Completed',
      { revenue: 20, shipping: { cost: 2 } },
      now - 10 * day,
    );
    updateComputed(state, defs, 'Product Added', { price: 9 }, now - 5 * day);
    updateComputed(state, defs, 'Product Added', { price: 'n/a' }, now - 5 * day); // not a number: ignored
    updateComputed(state, defs, 'Product Viewed', { category: 'shoes' }, now - 9 * day);
    updateComputed(state, defs, 'Product Viewed', { category: 'tents' }, now - 1 * day);
    updateComputed(state, defs, 'Product Viewed', { category: 'shoes' }, now - 3 * day); // older than the last: last stays tents
    expect(evaluateComputed(state, defs, now)).toEqual({
      big_orders: 1,
      max_item: 9,
      last_category: 'tents',
      first_category: 'shoes',
      categories: 2,
      min_shipping: 2,
      views_7d: 2,
    });
    // A week later, the window has moved on.
    expect(evaluateComputed(state, defs, now + 7 * day)['views_7d']).toBe(0);
  });

  it('merges two profiles as if their events had been one stream', () => {
    const a: ComputedState = {};
    const b: ComputedState = {};
    const all: ComputedState = {};
    const events: [ComputedState, string, Record<string, unknown>, number][] = [
      [a, 'Order Completed', { revenue: 120, shipping: { cost: 5 } }, now - 2 * day],
      [b, 'Order Completed', { revenue: 300, shipping: { cost: 1 } }, now - 3 * day],
      [b, 'Product Viewed', { category: 'x' }, now - 1 * day],
      [a, 'Product Viewed', { category: 'y' }, now - 4 * day],
    ];
    for (const [target, name, props, time] of events) {
      updateComputed(target, defs, name, props, time);
      updateComputed(all, defs, name, props, time);
    }
    mergeComputed(a, b, defs);
    expect(evaluateComputed(a, defs, now)).toEqual(evaluateComputed(all, defs, now));
  });

  it('computes RFM from Order Completed revenue, falling back to total', () => {
    const state: ComputedState = {};
    updateComputed(state, rfmDefinitions, 'Order Completed', { revenue: 40 }, now - 100 * day);
    updateComputed(state, rfmDefinitions, 'Order Completed', { total: 25.5 }, now - 40 * day);
    updateComputed(
      state,
      rfmDefinitions,
      'Order Completed',
      { revenue: 10, total: 12 },
      now - 5 * day,
    );
    const rfm = rfmOf(evaluateComputed(state, rfmDefinitions, now), now - 5 * day, now);
    expect(rfm).toEqual({
      recencyDays: 5,
      frequency: 3,
      monetary: 75.5,
      averageOrderValue: 25.17,
      windows: {
        '30d': { frequency: 1, monetary: 10, averageOrderValue: 10 },
        '90d': { frequency: 2, monetary: 35.5, averageOrderValue: 17.75 },
      },
    });
  });
});
