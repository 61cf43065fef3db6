import type { Rfm } from './rfm.js';

/** The quantiles that split customers into five groups of (about) a fifth each. */
export const rfmQuantiles = [0.2, 0.4, 0.6, 0.8] as const;

/** What scoring reads of a customer (a profile with at least one order). */
export interface RfmCustomer {
  recencyDays: number;
  frequency: number;
  monetary: number;
}

/** The 20th, 40th, 60th and 80th percentiles of each value over customers, ascending. */
export interface RfmBreakpoints {
  recency: number[];
  frequency: number[];
  monetary: number[];
}

/** Quintile scores, 1 (worst) to 5 (best). */
export interface RfmScore {
  r: number;
  f: number;
  m: number;
}

/**
 * The breakpoints of the customers' recency, frequency and monetary values: each quantile
 * by linear interpolation between the two nearest ranks (numpy.quantile's default,
 * Hyndman & Fan type 7). Null when there are no customers.
 */
export function rfmBreakpoints(customers: readonly RfmCustomer[]): RfmBreakpoints | null {
  if (customers.length === 0) return null;
  const column = (pick: (c: RfmCustomer) => number): number[] => {
    const sorted = Float64Array.from(customers, pick).sort();
    return rfmQuantiles.map((q) => quantileOfSorted(sorted, q));
  };
  return {
    recency: column((c) => c.recencyDays),
    frequency: column((c) => c.frequency),
    monetary: column((c) => c.monetary),
  };
}

/**
 * A profile's quintile scores against the breakpoints; null without orders.
 *
 * F and M are 1 + the number of breakpoints strictly below the value; R, where fewer days
 * is better, is 5 − the number of breakpoints strictly below the recency. A value equal to
 * a breakpoint is therefore in the quintile below it (F, M) or above it (R), and equal
 * values always share a score. With heavy ties the groups are not fifths: when most
 * customers have ordered once, the 20th, 40th and maybe 60th percentiles of frequency are
 * all 1, so every one-order customer has F = 1 and F = 2 (or 3) may hold nobody.
 */
export function rfmScore(
  rfm: Pick<Rfm, 'recencyDays' | 'frequency' | 'monetary'>,
  breakpoints: RfmBreakpoints,
): RfmScore | null {
  if (rfm.recencyDays === null || rfm.frequency <= 0) return null;
  return {
    r: 5 - below(breakpoints.recency, rfm.recencyDays),
    f: 1 + below(breakpoints.frequency, rfm.frequency),
    m: 1 + below(breakpoints.monetary, rfm.monetary),
  };
}

/** Whether two sets of breakpoints are the same numbers. */
export function sameRfmBreakpoints(a: RfmBreakpoints, b: RfmBreakpoints): boolean {
  const same = (x: readonly number[], y: readonly number[]) =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    same(a.recency, b.recency) && same(a.frequency, b.frequency) && same(a.monetary, b.monetary)
  );
}

function below(breakpoints: readonly number[], value: number): number {
  let n = 0;
  for (const b of breakpoints) if (b < value) n++;
  return n;
}

/**
 * numpy's linear quantile of ascending values, with its arithmetic: virtual index
 * (n − 1)·q, and the interpolation computed from the nearer end (a + d·t below t = ½,
 * b − d·(1 − t) from it) so results match to the last bit.
 */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  const index = (sorted.length - 1) * q;
  const lower = Math.floor(index);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const t = index - lower;
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}
