import { describe, expect, it } from 'vitest';
import { extractWriteKey, keyFromAuthorization } from './extract-write-key.js';

const basic = (user: string, password = ''): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('extractWriteKey', () => {
  it('reads Basic auth with an empty password', () => {
    expect(extractWriteKey(basic('wk_1'), {})).toBe('wk_1');
  });
  it('ignores the Basic password', () => {
    expect(extractWriteKey(basic('wk_1', 'whatever'), {})).toBe('wk_1');
  });
  it('reads a Bearer key', () => {
    expect(extractWriteKey('Bearer wk_2', {})).toBe('wk_2');
  });
  it('falls back to writeKey in the body', () => {
    expect(extractWriteKey(undefined, { writeKey: 'wk_3' })).toBe('wk_3');
  });
  it('prefers the header over the body', () => {
    expect(extractWriteKey(basic('wk_h'), { writeKey: 'wk_b' })).toBe('wk_h');
  });
  it('uses the body when the header carries no key', () => {
    expect(extractWriteKey(basic(''), { writeKey: 'wk_b' })).toBe('wk_b');
  });
  it('finds nothing in an empty request', () => {
    expect(extractWriteKey(undefined, { writeKey: '' })).toBeUndefined();
    expect(extractWriteKey(undefined, [])).toBeUndefined();
  });
  it('ignores unknown schemes', () => {
    expect(keyFromAuthorization('Digest abc')).toBeUndefined();
    expect(keyFromAuthorization('garbage')).toBeUndefined();
  });
});
