import { describe, expect, it } from 'vitest';
import { errorPointer, fieldIssuesOf, maxIssuesPerMessage } from './field-issues.js';

describe('fieldIssuesOf', () => {
  it('makes required errors missing fields and others invalid ones', () => {
    expect(
      fieldIssuesOf(
        [
          { keyword: 'required', instancePath: '', params: { missingProperty: 'revenue' } },
          { keyword: 'type', instancePath: '/currency', params: { type: 'string' } },
        ],
        '/properties',
      ),
    ).toEqual([
      { field: '/properties/revenue', problem: 'missing' },
      { field: '/properties/currency', problem: 'invalid' },
    ]);
  });

  it('counts a field once and folds array indexes into *', () => {
    expect(
      fieldIssuesOf(
        [
          { keyword: 'type', instancePath: '/products/0/price', params: {} },
          { keyword: 'minimum', instancePath: '/products/3/price', params: {} },
          { keyword: 'type', instancePath: '/products/0/price', params: {} },
        ],
        '/properties',
      ),
    ).toEqual([{ field: '/properties/products/*/price', problem: 'invalid' }]);
  });

  it('names an unexpected property, escaped as a JSON pointer', () => {
    expect(
      fieldIssuesOf(
        [
          {
            keyword: 'additionalProperties',
            instancePath: '',
            params: { additionalProperty: 'a/b~c' },
          },
        ],
        '/traits',
      ),
    ).toEqual([{ field: '/traits/a~1b~0c', problem: 'invalid' }]);
  });

  it('keeps at most a bounded number of fields per message', () => {
    const errors = Array.from({ length: 50 }, (_, i) => ({
      keyword: 'type',
      instancePath: `/f${i}`,
      params: {},
    }));
    expect(fieldIssuesOf(errors, '')).toHaveLength(maxIssuesPerMessage);
  });
});

describe('errorPointer', () => {
  it('keeps the exact array index for the problem field', () => {
    expect(
      errorPointer(
        { keyword: 'type', instancePath: '/products/3/price', params: {} },
        '/batch/2/properties',
      ),
    ).toBe('/batch/2/properties/products/3/price');
  });
});
