import { describe, expect, it } from 'vitest';
import { parseBody } from './parse-body.js';

describe('parseBody', () => {
  it('parses JSON', () => {
    expect(parseBody('{"a":1}')).toEqual({ kind: 'ok', value: { a: 1 } });
  });
  it('rejects an empty body', () => {
    expect(parseBody('')).toMatchObject({ kind: 'reject', code: 'invalid_json' });
  });
  it('rejects broken JSON with the parser position', () => {
    const outcome = parseBody('{"a":');
    expect(outcome).toMatchObject({ kind: 'reject', code: 'invalid_json' });
    if (outcome.kind === 'reject') expect(outcome.detail).toMatch(/JSON/);
  });
});
