import { comparisonOps } from '@attune/contracts';
import fc from 'fast-check';
import {
  hostileString,
  hostileTimestamp,
  hostileValue,
  numberText,
  objectText,
  pollutionKey,
  pollutionObject,
  stringText,
  type JsonText,
} from './hostile-values.fixture.js';

/**
 * Condition trees for segments, previews and journey-map stages: mostly well-formed enough
 * to reach the checker and the compiler, with one thing wrong (or hostile) at a time.
 */

/** Right or wrong: `right` two times in three. */
const orHostile = (right: fc.Arbitrary<JsonText>): fc.Arbitrary<JsonText> =>
  fc.oneof({ weight: 2, arbitrary: right }, { weight: 1, arbitrary: hostileValue });

const name = orHostile(
  fc
    .oneof(fc.constantFrom('plan', 'email', 'address.city', 'Clicked'), pollutionKey)
    .map(stringText),
);

/** Regex-looking and catastrophic-backtracking strings: they must stay plain data. */
const regexish = fc
  .constantFrom(
    '(a+)+$',
    '^(a|aa)+$',
    '.*',
    '[',
    '\\',
    '(?<x>a)',
    '(a{1,99999}){1,99999}',
    'a'.repeat(5000),
  )
  .map(stringText);

/** `in` lists from empty to tens of thousands of items. */
const bigList = fc
  .tuple(
    fc.integer({ min: 0, max: 30_000 }),
    fc.constantFrom('"x"', '1', 'null', '{}', '"__proto__"'),
  )
  .map(([n, item]) => `[${Array(n).fill(item).join(',')}]`);

const comparisonValue = fc.oneof(
  hostileValue,
  regexish,
  bigList,
  fc.constantFrom(
    '{"amount":1,"unit":"days"}',
    '{"amount":1e400,"unit":"days"}',
    '["2024-01-01","2023-01-01"]',
  ),
  hostileTimestamp,
);

const comparison = fc.record({
  op: orHostile(fc.constantFrom(...comparisonOps).map(stringText)),
  value: fc.option(comparisonValue, { nil: undefined }),
  caseInsensitive: fc.option(orHostile(fc.constant('true')), { nil: undefined }),
});

const duration = orHostile(
  fc
    .record({
      amount: orHostile(fc.oneof(fc.integer({ min: -2, max: 2_000_000 }).map(String), numberText)),
      unit: orHostile(
        fc.constantFrom('minutes', 'hours', 'days', 'weeks', 'years').map(stringText),
      ),
    })
    .map((d) => objectText(Object.entries(d))),
);

const propertyFilter = fc
  .tuple(fc.record({ property: name }), comparison)
  .map(([p, c]) => objectText([...Object.entries(p), ...Object.entries(c)]));

const eventFilter = orHostile(
  fc
    .record({
      event: name,
      where: fc.option(
        orHostile(fc.array(propertyFilter, { maxLength: 25 }).map((w) => `[${w.join(',')}]`)),
        {
          nil: undefined,
        },
      ),
    })
    .map((f) => objectText(Object.entries(f))),
);

const window = orHostile(
  fc.oneof(
    duration.map((d) => `{"last":${d}}`),
    fc
      .record({
        from: fc.option(hostileTimestamp, { nil: undefined }),
        to: fc.option(hostileTimestamp, { nil: undefined }),
      })
      .map((w) => objectText(Object.entries(w))),
  ),
);

const leaf: fc.Arbitrary<JsonText> = fc.oneof(
  fc
    .tuple(name, comparison)
    .map(([trait, c]) => objectText([['type', '"trait"'], ['trait', trait], ...Object.entries(c)])),
  fc
    .tuple(name, comparison)
    .map(([path, c]) => objectText([['type', '"computed"'], ['path', path], ...Object.entries(c)])),
  fc
    .record({
      event: name,
      count: fc.option(
        orHostile(
          fc
            .record({
              op: fc.constantFrom('"at_least"', '"at_most"', '"exactly"'),
              value: fc.oneof(fc.integer({ min: -1, max: 1001 }).map(String), numberText),
            })
            .map((c) => objectText(Object.entries(c))),
        ),
        { nil: undefined },
      ),
      window: fc.option(window, { nil: undefined }),
    })
    .map((e) => objectText([['type', '"event"'], ...Object.entries(e)])),
  fc
    .record({
      event: name,
      which: orHostile(fc.constantFrom('"first"', '"last"')),
      op: orHostile(fc.constantFrom('"before"', '"after"', '"within_last"')),
      value: comparisonValue,
    })
    .map((e) => objectText([['type', '"event_time"'], ...Object.entries(e)])),
  fc
    .record({
      type: fc.constantFrom('"sequence"', '"not_followed"'),
      first: eventFilter,
      then: eventFilter,
      by: eventFilter,
      within: duration,
    })
    .map((s) => objectText(Object.entries(s))),
  fc
    .record({
      segment: orHostile(
        fc.oneof(fc.constantFrom('nope', 'fuzz-base'), pollutionKey).map(stringText),
      ),
      member: fc.option(hostileValue, { nil: undefined }),
    })
    .map((s) => objectText([['type', '"segment"'], ...Object.entries(s)])),
  fc
    .record({ op: orHostile(fc.constantFrom('"in"', '"eq"', '"not_in"')), value: comparisonValue })
    .map((s) => objectText([['type', '"stage"'], ...Object.entries(s)])),
  fc
    .record({ purpose: name, state: orHostile(fc.constantFrom('"granted"', '"denied"')) })
    .map((s) => objectText([['type', '"consent"'], ...Object.entries(s)])),
  // Unknown node types, including names every object inherits.
  fc
    .tuple(fc.oneof(pollutionKey, hostileString, fc.constantFrom('xor', 'TRAIT')), hostileValue)
    .map(([type, rest]) =>
      objectText([
        ['type', stringText(type)],
        ['condition', rest],
        ['conditions', `[${rest}]`],
      ]),
    ),
  pollutionObject,
  hostileValue,
);

/** Trees of and/or/not over hostile leaves; conditions lists sometimes past the 100 limit. */
export const hostileCondition: fc.Arbitrary<JsonText> = fc.letrec<{ node: JsonText }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: leaf },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('"and"', '"or"'),
          fc.array(tie('node'), { maxLength: 4 }),
          fc.integer({ min: 0, max: 3 }),
        )
        .map(([type, items, widen]) => {
          // Now and then far more branches than allowed, to reach the list limits.
          const all =
            widen === 3
              ? [
                  ...items,
                  ...Array<JsonText>(150).fill('{"type":"trait","trait":"plan","op":"exists"}'),
                ]
              : items;
          return `{"type":${type},"conditions":[${all.join(',')}]}`;
        }),
    },
    { weight: 1, arbitrary: tie('node').map((c) => `{"type":"not","condition":${c}}`) },
    { weight: 1, arbitrary: hostileValue.map((c) => `{"type":"and","conditions":${c}}`) },
  ),
})).node;

/** Thousands of levels of not/and/or: as raw text, so the parser, the schema and the checker face it. */
export const deepCondition: fc.Arbitrary<JsonText> = fc
  .record({
    depth: fc.integer({ min: 200, max: 15_000 }),
    shape: fc.constantFrom('not', 'and', 'or', 'mixed'),
  })
  .map(({ depth, shape }) => {
    const leafText = '{"type":"trait","trait":"plan","op":"exists"}';
    const open = (i: number) => {
      const s = shape === 'mixed' ? (['not', 'and', 'or'] as const)[i % 3] : shape;
      return s === 'not' ? '{"type":"not","condition":' : `{"type":"${s}","conditions":[`;
    };
    const close = (i: number) => {
      const s = shape === 'mixed' ? (['not', 'and', 'or'] as const)[i % 3] : shape;
      return s === 'not' ? '}' : ']}';
    };
    let text = leafText;
    for (let i = depth - 1; i >= 0; i--) text = `${open(i)}${text}${close(i)}`;
    return text;
  });

export const anyCondition: fc.Arbitrary<JsonText> = fc.oneof(
  { weight: 8, arbitrary: hostileCondition },
  { weight: 1, arbitrary: deepCondition },
);
