import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  rfmBreakpoints,
  rfmScore,
  sameRfmBreakpoints,
  type RfmBreakpoints,
  type RfmCustomer,
  type RfmScore,
} from './rfm-quintiles.js';

interface OracleCase {
  name: string;
  customers: RfmCustomer[];
  breakpoints: RfmBreakpoints;
  scores: RfmScore[];
}

/** numpy's answers (scripts/oracles/rfm_quintiles.py). */
const oracle = JSON.parse(
  readFileSync(new URL('./rfm-quintiles.oracle.json', import.meta.url), 'utf8'),
) as { cases: OracleCase[] };

describe('RFM quintiles against numpy (oracle)', () => {
  it('has cases', () => expect(oracle.cases.length).toBeGreaterThanOrEqual(5));

  for (const c of oracle.cases) {
    it(`${c.name}: breakpoints to the last bit, and every score`, () => {
      const breakpoints = rfmBreakpoints(c.customers);
      expect(breakpoints).toEqual(c.breakpoints);
      expect(c.customers.map((customer) => rfmScore(customer, breakpoints!))).toEqual(c.scores);
    });
  }
});

describe('rfmBreakpoints', () => {
  it('is null without customers', () => {
    expect(rfmBreakpoints([])).toBeNull();
  });

  it('one customer: every breakpoint is its value, and it scores R5 F1 M1', () => {
    const one = { recencyDays: 12, frequency: 3, monetary: 99.5 };
    const breakpoints = rfmBreakpoints([one])!;
    expect(breakpoints).toEqual({
      recency: [12, 12, 12, 12],
      frequency: [3, 3, 3, 3],
      monetary: [99.5, 99.5, 99.5, 99.5],
    });
    expect(rfmScore(one, breakpoints)).toEqual({ r: 5, f: 1, m: 1 });
  });

  it('all customers equal: all share one score', () => {
    const same = { recencyDays: 5, frequency: 1, monetary: 20 };
    const breakpoints = rfmBreakpoints(Array.from({ length: 50 }, () => ({ ...same })))!;
    expect(breakpoints.frequency).toEqual([1, 1, 1, 1]);
    expect(rfmScore(same, breakpoints)).toEqual({ r: 5, f: 1, m: 1 });
  });

  it('interpolates between ranks and does not depend on the order of customers', () => {
    const customers = [0, 10, 20, 30, 40, 50].map((v, i) => ({
      recencyDays: v,
      frequency: i + 1,
      monetary: v * 2,
    }));
    const breakpoints = rfmBreakpoints(customers)!;
    // (n − 1)·q = 1, 2, 3, 4: exact ranks.
    expect(breakpoints.recency).toEqual([10, 20, 30, 40]);
    expect(rfmBreakpoints([...customers].reverse())).toEqual(breakpoints);
    // Five customers: (n − 1)·0.2 = 0.8, between the first two.
    expect(rfmBreakpoints(customers.slice(0, 5))!.recency[0]).toBeCloseTo(8, 10);
  });
});

describe('rfmScore', () => {
  const breakpoints: RfmBreakpoints = {
    recency: [10, 20, 30, 40],
    frequency: [1, 1, 2, 4],
    monetary: [50, 100, 200, 400],
  };

  it('is null for a profile without orders', () => {
    expect(rfmScore({ recencyDays: null, frequency: 0, monetary: 0 }, breakpoints)).toBeNull();
  });

  it('F and M count the breakpoints strictly below; R counts down from 5', () => {
    expect(rfmScore({ recencyDays: 0, frequency: 9, monetary: 1000 }, breakpoints)).toEqual({
      r: 5,
      f: 5,
      m: 5,
    });
    expect(rfmScore({ recencyDays: 365, frequency: 1, monetary: 1 }, breakpoints)).toEqual({
      r: 1,
      f: 1,
      m: 1,
    });
    expect(rfmScore({ recencyDays: 25, frequency: 3, monetary: 150 }, breakpoints)).toEqual({
      r: 3,
      f: 4,
      m: 3,
    });
  });

  it('a value on a breakpoint: the quintile below for F and M, above for R', () => {
    expect(rfmScore({ recencyDays: 20, frequency: 2, monetary: 100 }, breakpoints)).toEqual({
      r: 4,
      f: 3,
      m: 2,
    });
    // Tied breakpoints (most customers ordered once): one order is F1, two skip to F4.
    expect(rfmScore({ recencyDays: 5, frequency: 1, monetary: 10 }, breakpoints)!.f).toBe(1);
    expect(rfmScore({ recencyDays: 5, frequency: 2, monetary: 10 }, breakpoints)!.f).toBe(3);
  });
});

describe('sameRfmBreakpoints', () => {
  it('compares every number', () => {
    const a = { recency: [1, 2, 3, 4], frequency: [1, 1, 2, 3], monetary: [5, 6, 7, 8] };
    expect(sameRfmBreakpoints(a, structuredClone(a))).toBe(true);
    expect(sameRfmBreakpoints(a, { ...a, monetary: [5, 6, 7, 8.01] })).toBe(false);
  });
});
