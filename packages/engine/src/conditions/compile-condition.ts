import type {
  Condition,
  DurationSpec,
  EventFilterSpec,
  EventWindowSpec,
  LeafCondition,
} from '@attune/contracts';
import {
  comparisonNextChange,
  comparisonTester,
  durationMs,
  instantOf,
  pathReader,
} from './compare-values.js';
import { countWithin, emptyTrail, type EventTrail, type TrailSpec } from './event-trails.js';
import { generatePredicate } from './generate-predicate.js';

/** How many of the latest events of each kind a sequence looks at. */
export const sequenceDepth = 64;

/** What a condition is evaluated against: one profile at one instant. */
export interface ConditionInput {
  now: number;
  traits: Readonly<Record<string, unknown>>;
  /** The profile's `computed` view (eventCounts, lastSeen, rfm, user-defined traits). */
  computed: Readonly<Record<string, unknown>>;
  /** By `TrailSpec.key`; a missing trail is an empty one. */
  trails: Readonly<Record<string, EventTrail>>;
  isMember(segmentId: string): boolean;
  stage: string | null;
  /** true granted, false denied, null unknown (neither `granted` nor `denied` holds). */
  consent(purpose: string): boolean | null;
  /** The request a decision is asked in (`page.path`, `locale`, …); absent elsewhere. */
  context?: Readonly<Record<string, unknown>>;
}

/** What can change a condition's result: the processor evaluates it only when one does. */
export interface ConditionDependencies {
  /** Event names whose events feed its trails. */
  events: Set<string>;
  /** Top-level trait names. */
  traits: Set<string>;
  segments: Set<string>;
  consentPurposes: Set<string>;
  stage: boolean;
  /** Reads the computed view (some values of which, like recency, move with time). */
  computed: boolean;
}

export interface CompiledCondition {
  evaluate(input: ConditionInput): boolean;
  /**
   * The next instant after `input.now` at which the result can change with no new data
   * (a window expires, a wait ends), or null. May be early, never late: re-evaluating
   * then and finding no change is harmless.
   */
  nextChange(input: ConditionInput): number | null;
  dependencies: ConditionDependencies;
  /** The event trails it reads: the processor keeps these per profile. */
  trails: TrailSpec[];
  /** Whether time alone can change the result (windows, waits): `nextChange` is worth asking. */
  timeDependent: boolean;
}

interface Node {
  evaluate(input: ConditionInput): boolean;
  nextChange(input: ConditionInput): number | null;
}

const empty = emptyTrail();
const earliest = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** Compiles a checked condition (see `checkCondition`) into a predicate. */
export function compileCondition(
  condition: Condition,
  options: {
    /** `false` keeps the closure tree (the reference the generated code is tested against). */
    generate?: boolean;
    /** Told each leaf's own predicate (`compileRuleSet` writes its leaves from them). */
    onLeaf?: (leaf: LeafCondition, evaluate: (input: ConditionInput) => boolean) => void;
  } = {},
): CompiledCondition {
  const dependencies: ConditionDependencies = {
    events: new Set(),
    traits: new Set(),
    segments: new Set(),
    consentPurposes: new Set(),
    stage: false,
    computed: false,
  };
  const trails = new Map<string, TrailSpec>();
  let timeDependent = false;

  /** Registers the trail a filter (and window range) needs; returns its key. */
  function trail(filter: EventFilterSpec, keep: number, window?: EventWindowSpec): string {
    const range = window !== undefined && !('last' in window) ? window : undefined;
    const from = range?.from === undefined ? null : instantOf(range.from);
    const to = range?.to === undefined ? null : instantOf(range.to);
    // Short keys: a profile stores its trails under them.
    const key = shortKey(JSON.stringify([filter.event, filter.where ?? [], from, to]));
    const existing = trails.get(key);
    if (existing !== undefined) existing.keep = Math.max(existing.keep, keep);
    else trails.set(key, { key, event: filter.event, where: filter.where ?? [], from, to, keep });
    dependencies.events.add(filter.event);
    return key;
  }

  function compile(c: Condition): Node {
    switch (c.type) {
      case 'and':
      case 'or': {
        const children = c.conditions.map(compile);
        const n = children.length;
        return {
          evaluate:
            c.type === 'and'
              ? (input) => {
                  for (let i = 0; i < n; i++)
                    if (!(children[i] as Node).evaluate(input)) return false;
                  return true;
                }
              : (input) => {
                  for (let i = 0; i < n; i++)
                    if ((children[i] as Node).evaluate(input)) return true;
                  return false;
                },
          nextChange: (input) =>
            children.reduce<number | null>((m, n) => earliest(m, n.nextChange(input)), null),
        };
      }
      case 'not': {
        const child = compile(c.condition);
        return {
          evaluate: (input) => !child.evaluate(input),
          nextChange: (input) => child.nextChange(input),
        };
      }
      default: {
        const node = compileLeaf(c);
        leaves.set(c, node);
        options.onLeaf?.(c, (input) => node.evaluate(input));
        return node;
      }
    }
  }

  function compileLeaf(c: LeafCondition): Node {
    switch (c.type) {
      case 'trait':
      case 'computed': {
        const path = c.type === 'trait' ? c.trait : c.path;
        if (c.type === 'trait') dependencies.traits.add(path.split('.')[0] as string);
        else dependencies.computed = true;
        const read = pathReader(path);
        const test = comparisonTester(c);
        if (c.op === 'within_last') timeDependent = true;
        const valueOf =
          c.type === 'trait'
            ? (input: ConditionInput) => read(input.traits)
            : (input: ConditionInput) => read(input.computed);
        return {
          evaluate: (input) => test(valueOf(input), input.now),
          nextChange: (input) => comparisonNextChange(valueOf(input), c, input.now),
        };
      }
      case 'event':
        return eventCount(c.event, c.where, c.count, c.window);
      case 'event_time': {
        const key = trail(c, 0);
        const timeOf = (input: ConditionInput) => {
          const t = input.trails[key] ?? empty;
          return c.which === 'first' ? t.first : t.last;
        };
        if (c.op === 'within_last') {
          timeDependent = true;
          const span = durationMs(c.value as DurationSpec);
          return {
            // As for event counts, a time after `now` (clock skew) counts as within.
            evaluate: (input) => {
              const t = timeOf(input);
              return t !== null && t > input.now - span;
            },
            nextChange: (input) => {
              const t = timeOf(input);
              return t !== null && t + span > input.now ? t + span : null;
            },
          };
        }
        const limit = instantOf(c.value) as number;
        return {
          evaluate: (input) => {
            const t = timeOf(input);
            return t !== null && (c.op === 'before' ? t < limit : t > limit);
          },
          nextChange: () => null,
        };
      }
      case 'sequence': {
        const firstKey = trail(c.first, sequenceDepth);
        const thenKey = trail(c.then, sequenceDepth);
        const span = durationMs(c.within);
        return {
          evaluate: (input) =>
            hasSequence(
              input.trails[firstKey] ?? empty,
              input.trails[thenKey] ?? empty,
              firstKey === thenKey,
              span,
            ),
          nextChange: () => null,
        };
      }
      case 'not_followed': {
        const firstKey = trail(c.first, 0);
        const byKey = trail(c.by, sequenceDepth);
        const span = durationMs(c.within);
        timeDependent = true;
        const start = (input: ConditionInput) => (input.trails[firstKey] ?? empty).last;
        return {
          evaluate: (input) => {
            const a = start(input);
            if (a === null || input.now < a + span) return false;
            const by = (input.trails[byKey] ?? empty).recent;
            return !by.some((t) => t >= a && t <= a + span);
          },
          nextChange: (input) => {
            const a = start(input);
            return a !== null && a + span > input.now ? a + span : null;
          },
        };
      }
      case 'segment': {
        dependencies.segments.add(c.segment);
        const member = c.member ?? true;
        return {
          evaluate: (input) => input.isMember(c.segment) === member,
          nextChange: () => null,
        };
      }
      case 'stage': {
        dependencies.stage = true;
        const values = Array.isArray(c.value) ? c.value : [c.value];
        const negate = c.op === 'neq' || c.op === 'not_in';
        return {
          evaluate: (input) =>
            negate
              ? input.stage === null || !values.includes(input.stage)
              : input.stage !== null && values.includes(input.stage),
          nextChange: () => null,
        };
      }
      case 'context': {
        const none = {};
        const read = pathReader(c.field);
        const test = comparisonTester(c);
        return {
          evaluate: (input) => test(read(input.context ?? none), input.now),
          nextChange: (input) => comparisonNextChange(read(input.context ?? none), c, input.now),
        };
      }
      case 'consent': {
        dependencies.consentPurposes.add(c.purpose);
        const wanted = c.state === 'granted';
        return {
          evaluate: (input) => input.consent(c.purpose) === wanted,
          nextChange: () => null,
        };
      }
    }
  }

  function eventCount(
    event: string,
    where: EventFilterSpec['where'],
    count: { op: 'at_least' | 'at_most' | 'exactly'; value: number } | undefined,
    window: EventWindowSpec | undefined,
  ): Node {
    const { op, value } = count ?? { op: 'at_least' as const, value: 1 };
    const holds = (n: number) =>
      op === 'at_least' ? n >= value : op === 'at_most' ? n <= value : n === value;
    const span = window !== undefined && 'last' in window ? durationMs(window.last) : null;
    // Enough of the latest times to tell "more than `value`" from "exactly `value`".
    const key = trail(
      where === undefined ? { event } : { event, where },
      span === null ? 0 : value + 1,
      window,
    );
    const trailOf = (input: ConditionInput) => input.trails[key] ?? empty;
    if (span === null) {
      return { evaluate: (input) => holds(trailOf(input).count), nextChange: () => null };
    }
    timeDependent = true;
    return {
      evaluate: (input) => holds(countWithin(trailOf(input), span, input.now)),
      nextChange: (input) => {
        // The oldest kept time still in the window leaves it first.
        for (const t of trailOf(input).recent) if (t + span > input.now) return t + span;
        return null;
      },
    };
  }

  const leaves = new Map<LeafCondition, Node>();
  const root = compile(condition);
  const evaluate =
    options.generate === false
      ? (input: ConditionInput) => root.evaluate(input)
      : generatePredicate(condition, (leaf) => {
          const node = leaves.get(leaf) as Node;
          return (input) => node.evaluate(input);
        });
  return {
    evaluate,
    nextChange: (input) => root.nextChange(input),
    dependencies,
    trails: [...trails.values()],
    timeDependent,
  };
}

/** A 64-bit FNV-1a hash of the text (two 32-bit lanes), in base 36. */
function shortKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return `t${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}`;
}

/** Some `first` event at `a` and a later `then` event at `b` with `b - a <= span`. */
function hasSequence(first: EventTrail, then: EventTrail, same: boolean, span: number): boolean {
  const xs = first.recent;
  const ys = then.recent;
  for (let i = 0; i < xs.length; i++) {
    const a = xs[i] as number;
    for (let j = same ? i + 1 : 0; j < ys.length; j++) {
      const b = ys[j] as number;
      if (b >= a && b - a <= span) return true;
    }
  }
  return false;
}
