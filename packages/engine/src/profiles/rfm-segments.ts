import type { Condition } from '@attune/contracts';

/** A ready-made segment over the RFM scores (`computed` path `rfm.score`). */
export interface RfmSegmentDefinition {
  id: string;
  name: string;
  description: string;
  /** The (R, F) cells it holds: score ranges, inclusive. */
  cells: { r: [number, number]; f: [number, number] }[];
  condition: Condition;
}

type Range = [number, number];

/** One score in a range: `eq` for a single score, `between` otherwise. */
function score(which: 'r' | 'f', [low, high]: Range): Condition {
  const path = `rfm.score.${which}`;
  return low === high
    ? { type: 'computed', path, op: 'eq', value: low }
    : { type: 'computed', path, op: 'between', value: [low, high] };
}

function segment(
  slug: string,
  name: string,
  description: string,
  ...cells: { r: Range; f: Range }[]
): RfmSegmentDefinition {
  const rect = (c: { r: Range; f: Range }): Condition => ({
    type: 'and',
    conditions: [score('r', c.r), score('f', c.f)],
  });
  const condition: Condition =
    cells.length === 1 ? rect(cells[0]!) : { type: 'or', conditions: cells.map(rect) };
  return { id: `rfm-${slug}`, name, description, cells, condition };
}

/**
 * The named RFM segments on the grid of recency (R) and frequency (F) scores, 1–5 each.
 * Every one of the 25 cells belongs to exactly one of them. Monetary (M) is left out, as
 * in the usual grid: it follows frequency closely and splits the segments too finely.
 */
export const rfmSegmentDefinitions: readonly RfmSegmentDefinition[] = [
  segment('champions', 'Champions', 'Ordered most recently and order most often (R5, F4–5)', {
    r: [5, 5],
    f: [4, 5],
  }),
  segment('loyal', 'Loyal', 'Order often, fairly recently (R3–4, F4–5)', {
    r: [3, 4],
    f: [4, 5],
  }),
  segment(
    'potential-loyalist',
    'Potential Loyalist',
    'Recent customers with a few orders (R4–5, F2–3)',
    { r: [4, 5], f: [2, 3] },
  ),
  segment('new', 'New', 'Ordered most recently, fewest orders (R5, F1)', {
    r: [5, 5],
    f: [1, 1],
  }),
  segment('promising', 'Promising', 'Ordered recently, fewest orders (R4, F1)', {
    r: [4, 4],
    f: [1, 1],
  }),
  segment('needs-attention', 'Needs Attention', 'Middling recency and frequency (R3, F3)', {
    r: [3, 3],
    f: [3, 3],
  }),
  segment(
    'about-to-sleep',
    'About to Sleep',
    'Middling recency, few orders: lost without a nudge (R3, F1–2)',
    { r: [3, 3], f: [1, 2] },
  ),
  segment('at-risk', 'At Risk', 'Ordered often, but not for a long time (R1–2, F3–4)', {
    r: [1, 2],
    f: [3, 4],
  }),
  segment(
    'cant-lose-them',
    "Can't Lose Them",
    'Ordered the most often, but not for a long time (R1–2, F5)',
    { r: [1, 2], f: [5, 5] },
  ),
  segment(
    'hibernating',
    'Hibernating',
    'Last order long ago, few orders (R2, F1–2; R1, F2)',
    { r: [2, 2], f: [1, 2] },
    { r: [1, 1], f: [2, 2] },
  ),
  segment('lost', 'Lost', 'Least recent, fewest orders (R1, F1)', { r: [1, 1], f: [1, 1] }),
];
