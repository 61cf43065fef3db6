import type { Condition, LeafCondition } from '@attune/contracts';
import { compileCondition, type ConditionInput } from './compile-condition.js';
import { predicateWriter } from './generate-predicate.js';

/**
 * Several conditions evaluated together against one input. Rules of a placement (and a
 * shop's rules generally) test the same few things again and again: the same segment, the
 * same page path, the same plan. Here each distinct leaf is evaluated at most once per
 * input and its answer is shared by every condition that has it.
 */
export interface CompiledRuleSet {
  readonly size: number;
  /** A fresh evaluation against one input; leaves are evaluated when first needed. */
  against(input: ConditionInput): RuleSetEvaluation;
}

export interface RuleSetEvaluation {
  /** The first condition from index `from` on (in the order given) that holds, or -1. */
  firstHolding(from: number): number;
  /** How many of the conditions hold. */
  countHolding(): number;
}

/** Leaf results: 0 not evaluated yet, 1 holds, 2 does not. */
type Memo = Uint8Array;

/**
 * Conditions per generated function, so each stays small enough to optimize. Straight-line
 * code: a switch over the condition's index, called per condition, was 3–4 times slower.
 */
const chunkSize = 64;

/**
 * Compiles checked conditions (see `checkCondition`) into one set. Leaves are the same when
 * their definitions are the same JSON, so equal leaves written with their keys in another
 * order are evaluated separately (correct, only not shared). The generated text follows
 * `predicateWriter`: values enter it only as escaped literals or indices into constants.
 */
export function compileRuleSet(conditions: readonly Condition[]): CompiledRuleSet {
  const closures = new Map<LeafCondition, (input: ConditionInput) => boolean>();
  for (const condition of conditions)
    compileCondition(condition, {
      generate: false,
      onLeaf: (leaf, evaluate) => closures.set(leaf, evaluate),
    });
  const writer = predicateWriter((leaf) => closures.get(leaf) as (i: ConditionInput) => boolean);

  const byJson = new Map<string, number>();
  /** Each leaf object's index among the distinct leaves. */
  const leafIndex = new Map<LeafCondition, number>();
  const distinct: LeafCondition[] = [];
  const walk = (c: Condition): void => {
    if (c.type === 'and' || c.type === 'or') c.conditions.forEach(walk);
    else if (c.type === 'not') walk(c.condition);
    else {
      const key = JSON.stringify(c);
      let index = byJson.get(key);
      if (index === undefined) {
        index = distinct.push(c) - 1;
        byJson.set(key, index);
      }
      leafIndex.set(c, index);
    }
  };
  conditions.forEach(walk);

  const leafChunks = chunks(distinct, (leaf, j) => ` case ${j}: return ${writer.leaf(leaf)};`).map(
    (cases) =>
      writer.constant(
        writer.make<LeafChunk>(`return (j, i) => { let v; switch (j) {${cases} } return false; };`),
      ),
  );
  const leafText = (leaf: LeafCondition): string => {
    const j = leafIndex.get(leaf) as number;
    const evaluate = leafChunks[Math.floor(j / chunkSize)] as string;
    return `(((x = m[${j}]) === 0 ? (m[${j}] = x = ${evaluate}(${j}, i) ? 1 : 2) : x) === 1)`;
  };
  const texts = conditions.map((c) => writer.tree(c, leafText));
  const firstChunks = chunks(texts, (text, n) => ` if (from <= ${n} && ${text}) return ${n};`).map(
    (body) => writer.make<FirstChunk>(`return (from, i, m) => { let x;${body} return -1; };`),
  );
  const countChunks = chunks(texts, (text) => ` if (${text}) n++;`).map((body) =>
    writer.make<CountChunk>(`return (i, m) => { let x, n = 0;${body} return n; };`),
  );

  const leafCount = distinct.length;
  return {
    size: conditions.length,
    against: (input) => new Evaluation(input, new Uint8Array(leafCount), firstChunks, countChunks),
  };
}

/** One input's evaluation: a class, so that each (one per placement per decide) is one object. */
class Evaluation implements RuleSetEvaluation {
  constructor(
    private readonly input: ConditionInput,
    private readonly memo: Memo,
    private readonly firstChunks: readonly FirstChunk[],
    private readonly countChunks: readonly CountChunk[],
  ) {}

  firstHolding(from: number): number {
    const { firstChunks } = this;
    for (let c = Math.floor(Math.max(0, from) / chunkSize); c < firstChunks.length; c++) {
      const found = (firstChunks[c] as FirstChunk)(from, this.input, this.memo);
      if (found >= 0) return found;
    }
    return -1;
  }

  countHolding(): number {
    let n = 0;
    for (const count of this.countChunks) n += count(this.input, this.memo);
    return n;
  }
}

type LeafChunk = (j: number, input: ConditionInput) => boolean;
type FirstChunk = (from: number, input: ConditionInput, memo: Memo) => number;
type CountChunk = (input: ConditionInput, memo: Memo) => number;

/** The items' texts joined, `chunkSize` items to a text. */
function chunks<T>(items: readonly T[], text: (item: T, index: number) => string): string[] {
  const out: string[] = [];
  for (let first = 0; first < items.length; first += chunkSize) {
    let joined = '';
    const last = Math.min(first + chunkSize, items.length);
    for (let n = first; n < last; n++) joined += text(items[n] as T, n);
    out.push(joined);
  }
  return out;
}
