import type { Condition } from '@attune/contracts';
import { describe, expect, it } from 'vitest';
import { findCycle, segmentReferences } from './segment-dependencies.js';
import { slugOf } from './segments.service.js';

describe('segment references', () => {
  it('lists the segment nodes of a tree with their pointers', () => {
    const condition: Condition = {
      type: 'and',
      conditions: [
        { type: 'trait', trait: 'plan', op: 'eq', value: 'pro' },
        { type: 'segment', segment: 'buyers' },
        {
          type: 'or',
          conditions: [{ type: 'not', condition: { type: 'segment', segment: 'churned' } }],
        },
      ],
    };
    expect(segmentReferences(condition, '/condition')).toEqual([
      { segmentId: 'buyers', path: '/condition/conditions/1' },
      { segmentId: 'churned', path: '/condition/conditions/2/conditions/0/condition' },
    ]);
  });
});

describe('findCycle', () => {
  const graph = (edges: Record<string, string[]>) => (id: string) => edges[id] ?? [];

  it('finds a path back to the start, direct or through others', () => {
    expect(findCycle('a', graph({ a: ['a'] }))).toEqual(['a', 'a']);
    expect(findCycle('a', graph({ a: ['b'], b: ['a'] }))).toEqual(['a', 'b', 'a']);
    expect(findCycle('a', graph({ a: ['x', 'b'], b: ['c'], c: ['a'], x: [] }))).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('is null without a cycle through the start, even when others loop', () => {
    expect(findCycle('a', graph({ a: ['b', 'c'], b: ['c'], c: [] }))).toBeNull();
    expect(findCycle('a', graph({ a: ['b'], b: ['c'], c: ['b'] }))).toBeNull();
  });
});

describe('slugOf', () => {
  it.each([
    ['High-Value Customers!', 'high-value-customers'],
    ['  Café  Owners ', 'cafe-owners'],
    ['VIP_2026', 'vip-2026'],
    ['🎉', 'segment'],
    ['x'.repeat(80), 'x'.repeat(64)],
  ])('%s → %s', (name, slug) => expect(slugOf(name)).toBe(slug));
});
