import { describe, expect, it } from 'vitest';
import { checkCondition } from '../conditions/check-condition.js';
import { compileCondition, type ConditionInput } from '../conditions/compile-condition.js';
import { rfmSegmentDefinitions } from './rfm-segments.js';

const inputWith = (computed: Record<string, unknown>): ConditionInput => ({
  now: 0,
  traits: {},
  computed,
  trails: {},
  isMember: () => false,
  stage: null,
  consent: () => null,
});

const compiled = rfmSegmentDefinitions.map((d) => ({ id: d.id, c: compileCondition(d.condition) }));

describe('the ready-made RFM segments', () => {
  it('are the 11 named segments, with unique rfm-… ids', () => {
    expect(rfmSegmentDefinitions.map((d) => d.name)).toEqual([
      'Champions',
      'Loyal',
      'Potential Loyalist',
      'New',
      'Promising',
      'Needs Attention',
      'About to Sleep',
      'At Risk',
      "Can't Lose Them",
      'Hibernating',
      'Lost',
    ]);
    const ids = rfmSegmentDefinitions.map((d) => d.id);
    expect(new Set(ids).size).toBe(11);
    for (const id of ids) expect(id).toMatch(/^rfm-[a-z0-9-]+$/);
  });

  it('have conditions that pass checkCondition and read only the computed view', () => {
    for (const d of rfmSegmentDefinitions) {
      expect(checkCondition(d.condition), d.id).toEqual([]);
      expect(compileCondition(d.condition).dependencies).toMatchObject({
        computed: true,
        events: new Set(),
        traits: new Set(),
        segments: new Set(),
      });
    }
  });

  it('put each of the 25 (R, F) cells in exactly one segment, whatever M', () => {
    const grid: string[][] = [];
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        for (const m of [1, 5]) {
          const input = inputWith({ rfm: { recencyDays: 3, score: { r, f, m } } });
          const matching = compiled.filter(({ c }) => c.evaluate(input)).map(({ id }) => id);
          expect(matching, `R${r} F${f} M${m}`).toHaveLength(1);
          if (m === 1) (grid[r - 1] ??= []).push(matching[0]!);
        }
      }
    }
    // Rows R1…R5, columns F1…F5: the standard grid.
    expect(grid).toEqual(
      [
        ['lost', 'hibernating', 'at-risk', 'at-risk', 'cant-lose-them'],
        ['hibernating', 'hibernating', 'at-risk', 'at-risk', 'cant-lose-them'],
        ['about-to-sleep', 'about-to-sleep', 'needs-attention', 'loyal', 'loyal'],
        ['promising', 'potential-loyalist', 'potential-loyalist', 'loyal', 'loyal'],
        ['new', 'potential-loyalist', 'potential-loyalist', 'champions', 'champions'],
      ].map((row) => row.map((slug) => `rfm-${slug}`)),
    );
  });

  it('list the cells their conditions hold', () => {
    for (const d of rfmSegmentDefinitions) {
      const c = compileCondition(d.condition);
      for (let r = 1; r <= 5; r++) {
        for (let f = 1; f <= 5; f++) {
          const listed = d.cells.some(
            (cell) => r >= cell.r[0] && r <= cell.r[1] && f >= cell.f[0] && f <= cell.f[1],
          );
          expect(
            c.evaluate(inputWith({ rfm: { score: { r, f, m: 3 } } })),
            `${d.id} R${r} F${f}`,
          ).toBe(listed);
        }
      }
    }
  });

  it('hold no profile without a score (no orders, or no breakpoints yet)', () => {
    const withoutScore = inputWith({ rfm: { recencyDays: null, frequency: 0 } });
    expect(compiled.filter(({ c }) => c.evaluate(withoutScore))).toEqual([]);
    expect(compiled.filter(({ c }) => c.evaluate(inputWith({})))).toEqual([]);
  });
});
