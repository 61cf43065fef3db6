import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBatchItemSpans } from './batch-spans.js';

function slices(json: string): unknown[] | null {
  const spans = findBatchItemSpans(json);
  if (spans === null) return null;
  const out: unknown[] = [];
  for (let i = 0; i < spans.length; i += 2)
    out.push(JSON.parse(json.slice(spans[i], spans[i + 1])));
  return out;
}

describe('findBatchItemSpans', () => {
  it('finds each message of a batch', () => {
    const body =
      '{"sentAt":"x","batch":[{"a":1},{"b":"}\\"]"}, 3 ,"s",[1,[2]],null],"context":{"batch":[9]}}';
    expect(slices(body)).toEqual([{ a: 1 }, { b: '}"]' }, 3, 's', [1, [2]], null]);
  });

  it('handles whitespace, empty arrays and a batch that is not first', () => {
    expect(slices(' {\n "writeKey" : "k" ,\n "batch" : [ ] \n} ')).toEqual([]);
    expect(slices('{"x":{"batch":[1]},"batch":[ {"y":[]} ]}')).toEqual([{ y: [] }]);
  });

  it('takes the last of repeated batch keys, as JSON.parse does', () => {
    expect(slices('{"batch":[1],"batch":[2,3]}')).toEqual([2, 3]);
  });

  it('answers null when there is no batch array', () => {
    expect(findBatchItemSpans('{"batch":{"a":1}}')).toBeNull();
    expect(findBatchItemSpans('{"type":"track"}')).toBeNull();
    expect(findBatchItemSpans('[1,2]')).toBeNull();
  });

  it('agrees with JSON.parse on arbitrary batches (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 8 }),
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
        fc.constantFrom(undefined, 2, '\t'),
        (batch, extra, indent) => {
          const { batch: _ignored, ...rest } = extra;
          const json = JSON.stringify({ ...rest, batch, trailer: rest }, null, indent);
          expect(slices(json)).toEqual(JSON.parse(json).batch);
        },
      ),
      { numRuns: 500 },
    );
  });
});
