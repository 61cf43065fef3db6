import type { Condition, LeafCondition } from '@attune/contracts';
import { comparisonTester, inheritedKey, pathReader } from './compare-values.js';
import type { ConditionInput } from './compile-condition.js';

type Evaluate = (input: ConditionInput) => boolean;

/** Writes conditions as JavaScript text over an input `i`, with its constants in `k`. */
export interface PredicateWriter {
  /** A leaf as an expression (it may assign the scratch variable `v`). */
  leaf(c: LeafCondition): string;
  /** A tree as an expression, each leaf written by `leafText`. */
  tree(c: Condition, leafText: (leaf: LeafCondition) => string): string;
  /** A constant's place in `k`, for values the text refers to but cannot hold. */
  constant(value: unknown): string;
  /** Runs `body` as a function of `k` (these constants) and returns what it returns. */
  make<T>(body: string): T;
}

/**
 * One JavaScript function for a whole condition tree, instead of a closure per node: a tree
 * of closures costs a call or three per node, and a decision evaluates thousands of nodes
 * per request. See `predicateWriter` for what the text holds.
 */
export function generatePredicate(
  condition: Condition,
  closureOf: (leaf: LeafCondition) => Evaluate,
): Evaluate {
  const writer = predicateWriter(closureOf);
  const text = writer.tree(condition, (leaf) => writer.leaf(leaf));
  return writer.make(`return (i) => { let v; return ${text}; };`);
}

/**
 * Comparisons of traits, computed values and context inline their common cases (text
 * equality, text membership, numeric thresholds) and call the node's own tester otherwise;
 * other leaves call the closure `compileCondition` built for them (`closureOf`). The text
 * holds fixed fragments, indices into `k` (testers, sets, readers), and strings and numbers
 * of the condition only as literals made by `literal` (JSON.stringify).
 */
export function predicateWriter(closureOf: (leaf: LeafCondition) => Evaluate): PredicateWriter {
  const k: unknown[] = [];
  const constant = (value: unknown): string => `k[${k.push(value) - 1}]`;
  /** Read when a decision is asked without a context, and where there is none. */
  const noContext = constant({});
  /**
   * A string or finite number as a literal, so the engine sees a fixed property name or
   * value (a named load with an inline cache instead of a keyed lookup). JSON.stringify of
   * a string is a complete JavaScript string literal: quotes, backslashes and line
   * terminators are escaped, so no value can end the literal early.
   */
  const literal = (value: string | number): string => {
    if (typeof value === 'number' && !Number.isFinite(value)) return constant(value);
    return JSON.stringify(value);
  };

  const comparison = (
    c: LeafCondition & { op: string; value?: unknown },
    source: string,
    path: string,
  ): string => {
    const test = constant(comparisonTester(c as Parameters<typeof comparisonTester>[0]));
    const parts = path.split('.');
    const object = `typeof v === 'object' && v !== null`;
    // valueAt's order: the whole key first, then by dots.
    const read = [path, ...parts].some(inheritedKey)
      ? `${constant(pathReader(path))}(${source})`
      : parts.length === 1
        ? `${source}[${literal(path)}]`
        : `((v = ${source}[${literal(path)}]) !== undefined ? v : (v = ${source}, ${parts
            .map((part) => `v = ${object} ? v[${literal(part)}] : undefined`)
            .join(', ')}))`;
    const ci = 'caseInsensitive' in c && c.caseInsensitive === true;
    const value = c.value;
    // Each fast path decides only the case it recognizes and leaves the rest to the tester.
    if (!ci && typeof value === 'string' && (c.op === 'eq' || c.op === 'neq')) {
      const cmp = c.op === 'eq' ? '===' : '!==';
      return `(typeof (v = ${read}) === 'string' ? v ${cmp} ${literal(value)} : ${test}(v, i.now))`;
    }
    if (!ci && c.op === 'in' && Array.isArray(value) && value.every((x) => typeof x === 'string')) {
      // A few values: compared in line; more: a Set.
      const member =
        value.length <= 8
          ? `(${value.map((x) => `v === ${literal(x)}`).join(' || ')})`
          : `${constant(new Set(value))}.has(v)`;
      return `(typeof (v = ${read}) === 'string' ? ${member} : ${test}(v, i.now))`;
    }
    if (!ci && typeof value === 'string' && c.op === 'starts_with')
      return `(typeof (v = ${read}) === 'string' && v.startsWith(${literal(value)}))`;
    if (typeof value === 'number' && ['gt', 'gte', 'lt', 'lte'].includes(c.op)) {
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op as 'gt'];
      return `(typeof (v = ${read}) === 'number' && v - v === 0 ? v ${op} ${literal(value)} : ${test}(v, i.now))`;
    }
    return `${test}(${read}, i.now)`;
  };

  const leaf = (c: LeafCondition): string => {
    switch (c.type) {
      case 'segment':
        return `(i.isMember(${literal(c.segment)}) === ${c.member === false ? 'false' : 'true'})`;
      case 'trait':
        return comparison(c, 'i.traits', c.trait);
      case 'computed':
        return comparison(c, 'i.computed', c.path);
      case 'context':
        return comparison(c, `(i.context || ${noContext})`, c.field);
      default:
        return `${constant(closureOf(c))}(i)`;
    }
  };

  const tree = (c: Condition, leafText: (leaf: LeafCondition) => string): string => {
    switch (c.type) {
      case 'and':
      case 'or':
        return `(${c.conditions.map((child) => tree(child, leafText)).join(c.type === 'and' ? ' && ' : ' || ')})`;
      case 'not':
        return `!${tree(c.condition, leafText)}`;
      default:
        return leafText(c);
    }
  };

  return {
    leaf,
    tree,
    constant,
    make<T>(body: string): T {
      // Values enter the text only as `literal`s (see above).
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const make = new Function('k', body) as (constants: unknown[]) => T;
      return make(k);
    },
  };
}
