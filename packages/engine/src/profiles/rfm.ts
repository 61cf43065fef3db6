import type { ComputedTraitDefinition } from './computed-traits.js';

const order = 'Order Completed';
/** Segment's e-commerce spec: `revenue`, else `total`. */
const amount = ['revenue', 'total'];

/** The built-in definitions behind RFM (and reusable by segments). */
export const rfmDefinitions: ComputedTraitDefinition[] = [
  { name: 'orders', function: 'count', event: order },
  { name: 'revenue', function: 'sum', event: order, property: amount },
  { name: 'orders_30d', function: 'count', event: order, windowDays: 30 },
  { name: 'revenue_30d', function: 'sum', event: order, property: amount, windowDays: 30 },
  { name: 'orders_90d', function: 'count', event: order, windowDays: 90 },
  { name: 'revenue_90d', function: 'sum', event: order, property: amount, windowDays: 90 },
];

export interface RfmWindow {
  frequency: number;
  monetary: number;
  averageOrderValue: number | null;
}

export interface Rfm extends RfmWindow {
  /** Whole days since the last order, or null without orders. */
  recencyDays: number | null;
  windows: { '30d': RfmWindow; '90d': RfmWindow };
}

/** RFM from the evaluated definitions and the time of the last order. */
export function rfmOf(
  values: Record<string, unknown>,
  lastOrderAt: number | null,
  now: number,
): Rfm {
  const window = (frequency: unknown, monetary: unknown): RfmWindow => {
    const f = typeof frequency === 'number' ? frequency : 0;
    const m = typeof monetary === 'number' ? round2(monetary) : 0;
    return { frequency: f, monetary: m, averageOrderValue: f > 0 ? round2(m / f) : null };
  };
  return {
    recencyDays:
      lastOrderAt === null ? null : Math.max(0, Math.floor((now - lastOrderAt) / 86_400_000)),
    ...window(values['orders'], values['revenue']),
    windows: {
      '30d': window(values['orders_30d'], values['revenue_30d']),
      '90d': window(values['orders_90d'], values['revenue_90d']),
    },
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
