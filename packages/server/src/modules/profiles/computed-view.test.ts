import {
  recordActivity,
  rfmDefinitions,
  updateComputed,
  type ComputedTraitDefinition,
} from '@attune/engine';
import { describe, expect, it } from 'vitest';
import { computedView, lazyComputedView, rfmView } from './computed-view.js';
import type { ComputedData } from './profile.store.js';

const day = 86_400_000;
const now = Date.UTC(2026, 10, 23);
const definitions: ComputedTraitDefinition[] = [
  ...rfmDefinitions,
  { name: 'views', function: 'count', event: 'Product Viewed' },
];
const breakpoints = {
  recency: [5, 10, 20, 40],
  frequency: [1, 1, 2, 4],
  monetary: [20, 50, 100, 200],
};

/** A profile's computed data after these events (name, days ago, revenue). */
function computedOf(events: [string, number, number?][]): { computed: ComputedData } {
  const computed: ComputedData = { activity: {}, aggregates: {} };
  for (const [name, daysAgo, revenue] of events) {
    const time = now - daysAgo * day;
    recordActivity(computed.activity, name, time);
    updateComputed(computed.aggregates, definitions, name, { revenue }, time);
  }
  return { computed };
}

const buyer = computedOf([
  ['Order Completed', 30, 40],
  ['Order Completed', 12, 35.5],
  ['Product Viewed', 1],
]);
const browser = computedOf([['Product Viewed', 2]]);

describe('the computed view', () => {
  it('scores RFM against the breakpoints: rfm.score', () => {
    const rfm = computedView(buyer, definitions, now, breakpoints)['rfm'];
    expect(rfm).toMatchObject({
      recencyDays: 12,
      frequency: 2,
      monetary: 75.5,
      score: { r: 3, f: 3, m: 3 },
    });
  });

  it('has no rfm.score without breakpoints, or without orders', () => {
    expect(computedView(buyer, definitions, now)['rfm']).not.toHaveProperty('score');
    expect(computedView(buyer, definitions, now, null)['rfm']).not.toHaveProperty('score');
    expect(computedView(browser, definitions, now, breakpoints)['rfm']).not.toHaveProperty('score');
  });

  it('the lazy view shows the same score', () => {
    const lazy = lazyComputedView(buyer, definitions, now, breakpoints);
    expect((lazy['rfm'] as { score: unknown }).score).toEqual({ r: 3, f: 3, m: 3 });
    expect(lazy['views']).toBe(1);
  });

  it('rfmView is the view’s RFM without the score', () => {
    const { score: _, ...rfm } = computedView(buyer, definitions, now, breakpoints)[
      'rfm'
    ] as Record<string, unknown>;
    expect(rfmView(buyer.computed, now)).toEqual(rfm);
    expect(rfmView(browser.computed, now)).toMatchObject({ recencyDays: null, frequency: 0 });
  });
});
