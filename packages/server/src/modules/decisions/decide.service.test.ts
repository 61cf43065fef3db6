import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../adapters/sqlite/open-database.js';
import { SqlitePlacementStore } from '../../adapters/sqlite/placements.sqlite.js';
import { ManualClock } from '../../platform/clock.js';
import { DecideService, type ServedDecision } from './decide.service.js';
import { FrequencyCaps } from './frequency-caps.js';
import { VariantRenderer } from './variant-renderer.js';

/** A DecideService over a real placement store, unknown visitors and no logging, with overrides. */
function serviceOver(
  store: SqlitePlacementStore,
  over: Partial<ConstructorParameters<typeof DecideService>[0]> = {},
): DecideService {
  let n = 0;
  return new DecideService({
    placements: store,
    findVisitor: () => undefined,
    computedTraits: [],
    rfmBreakpoints: () => null,
    renderer: new VariantRenderer(),
    clock: new ManualClock(Date.parse('2026-11-23T10:00:00Z')),
    ids: { next: () => `d${++n}` },
    holdoutPercent: 0,
    timeBudgetMs: 50,
    served: () => {},
    ...over,
  });
}

/** Two placements in a real attune.db; visitors are unknown (decided on the context). */
function setup(options: { holdoutPercent?: number; elapsed?: () => number } = {}) {
  const db = openDatabase(':memory:', { schema: 'log' });
  const store = new SqlitePlacementStore(db);
  for (const id of ['hero', 'banner'])
    store.create(
      id,
      {
        name: id,
        description: null,
        rules: [
          {
            id: 'de',
            condition: { type: 'context', field: 'locale', op: 'eq', value: 'de-DE' },
            variant: { id: 'german', template: 'Hallo {{ context.page.path }}' },
          },
        ],
        fallback: { id: 'default', payload: { n: 1 } },
        frequencyCap: null,
      },
      0,
    );
  const served: ServedDecision[] = [];
  const fallbacks: string[] = [];
  const service = serviceOver(store, {
    holdoutPercent: options.holdoutPercent ?? 0,
    timeBudgetMs: 5,
    served: (decisions) => served.push(...decisions),
    countFallback: (reason) => fallbacks.push(reason),
    ...(options.elapsed === undefined ? {} : { elapsed: options.elapsed }),
  });
  return { service, served, fallbacks };
}

const german = { locale: 'de-DE', page: { path: '/start' } };
const source = { writeKey: 'wk' };

describe('DecideService', () => {
  it('answers the fallback when the chosen template fails as it renders', () => {
    const db = openDatabase(':memory:', { schema: 'log' });
    const store = new SqlitePlacementStore(db);
    const renderer = new VariantRenderer(5);
    const failing = [
      '{% for i in (1..100000000) %}x{% endfor %}',
      "{% include 'secrets' %}",
      "{% render '/etc/passwd' %}",
    ];
    failing.forEach((template, i) => {
      expect(renderer.problemOf(template)).toBeNull();
      store.create(
        `p${i}`,
        {
          name: 'p',
          description: null,
          rules: [
            {
              id: 'r',
              condition: { type: 'not', condition: { type: 'segment', segment: 'x' } },
              variant: { id: 'bad', template },
            },
          ],
          fallback: { id: 'default', template: 'Welcome' },
          frequencyCap: null,
        },
        0,
      );
    });
    const fallbacks: string[] = [];
    const service = serviceOver(store, {
      renderer,
      clock: new ManualClock(0),
      timeBudgetMs: 10_000,
      countFallback: (reason) => fallbacks.push(reason),
    });
    const { decisions } = service.decide({ placements: ['p0', 'p1', 'p2'] }, { writeKey: 'wk' });
    expect(decisions.map((d) => [d.variantId, d.rendered, d.reason, d.fallback])).toEqual([
      ['default', 'Welcome', 'render_error', true],
      ['default', 'Welcome', 'render_error', true],
      ['default', 'Welcome', 'render_error', true],
    ]);
    expect(fallbacks).toEqual(['render_error', 'render_error', 'render_error']);
  });

  it('decides on the context alone for a visitor without a profile', () => {
    const { service, served, fallbacks } = setup();
    const { decisions } = service.decide(
      { anonymousId: 'a1', placements: ['hero', 'banner'], context: german },
      source,
    );
    expect(decisions.map((d) => [d.variantId, d.rendered, d.decisionId])).toEqual([
      ['german', 'Hallo /start', 'd1'],
      ['german', 'Hallo /start', 'd2'],
    ]);
    expect(served.map((s) => [s.decision.decisionId, s.anonymousId, s.placementVersion])).toEqual([
      ['d1', 'a1', 1],
      ['d2', 'a1', 1],
    ]);
    expect(fallbacks).toEqual([]);
  });

  it('answers the fallback for the placements left once the time budget is spent', () => {
    // Each reading of the elapsed time advances it 3 ms: the second placement is over 5 ms.
    let t = 0;
    const { service, fallbacks } = setup({ elapsed: () => (t += 3) });
    const { decisions } = service.decide(
      { anonymousId: 'a1', placements: ['hero', 'banner'], context: german },
      source,
    );
    expect(decisions.map((d) => [d.variantId, d.reason, d.fallback])).toEqual([
      ['german', 'rule', false],
      ['default', 'time_budget', true],
    ]);
    expect(decisions[1]?.payload).toEqual({ n: 1 });
    expect(fallbacks).toEqual(['time_budget']);
  });

  it('gives everybody the fallback in a 100 % holdout and nobody at 0 %', () => {
    const held = setup({ holdoutPercent: 100 });
    const answer = held.service.decide(
      { anonymousId: 'a1', placements: ['hero'], context: german },
      source,
    );
    expect(answer.decisions[0]).toMatchObject({ variantId: 'default', reason: 'holdout' });
    expect(held.fallbacks).toEqual(['holdout']);
  });

  it('logs nothing when asked not to, or when there is no visitor id to log under', () => {
    const { service, served } = setup();
    service.decide({ anonymousId: 'a1', placements: ['hero'], log: false }, source);
    service.decide({ placements: ['hero'] }, source);
    expect(served).toEqual([]);
  });
});

describe('DecideService with frequency caps', () => {
  function capped() {
    const db = openDatabase(':memory:', { schema: 'log' });
    const store = new SqlitePlacementStore(db);
    const english = { type: 'context', field: 'locale', op: 'starts_with', value: 'en' };
    store.create(
      'hero',
      {
        name: 'hero',
        description: null,
        rules: [
          {
            id: 'sale',
            condition: english,
            variant: { id: 'sale', cap: { max: 2, per: { amount: 1, unit: 'days' } } },
          },
          { id: 'plain', condition: english, variant: { id: 'plain' } },
        ],
        fallback: { id: 'default' },
        frequencyCap: { max: 3, per: { amount: 1, unit: 'weeks' } },
      },
      0,
    );
    const clock = new ManualClock(Date.parse('2026-11-23T10:00:00Z'));
    const caps = new FrequencyCaps({ pseudonym: (column, id) => `${column}=${id}` });
    const service = serviceOver(store, { clock, caps });
    const ask = (anonymousId: string, extra: object = {}) => {
      const [d] = service.decide(
        { anonymousId, placements: ['hero'], context: { locale: 'en-GB' }, ...extra },
        source,
      ).decisions;
      return `${d!.variantId}/${d!.reason}`;
    };
    return { ask, clock, caps };
  }

  it('passes over a capped variant, then gives the fallback at the placement cap', () => {
    const { ask, clock } = capped();
    expect([ask('a'), ask('a'), ask('a')]).toEqual(['sale/rule', 'sale/rule', 'plain/rule']);
    expect(ask('a')).toBe('default/frequency_cap');
    // Another visitor has their own count.
    expect(ask('b')).toBe('sale/rule');
    // A day later the variant's window has passed, the placement's week has not.
    clock.advance(86_400_001);
    expect(ask('a')).toBe('default/frequency_cap');
    clock.advance(7 * 86_400_000);
    expect(ask('a')).toBe('sale/rule');
  });

  it('does not count asks that are not logged, and counts a user under both ids', () => {
    const { ask } = capped();
    for (let i = 0; i < 5; i++) expect(ask('a', { log: false })).toBe('sale/rule');
    expect(ask('a', { userId: 'ann' })).toBe('sale/rule');
    // The same user on another device: the userId carries the count.
    expect(ask('phone', { userId: 'ann' })).toBe('sale/rule');
    expect(ask('phone', { userId: 'ann' })).toBe('plain/rule');
    // Back on the first device, anonymous again: one impression under that id.
    expect(ask('a')).toBe('sale/rule');
  });
});
