import { describe, expect, it } from 'vitest';
import { uuid } from './uuid.js';

const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuid', () => {
  it('uses randomUUID where there is one', () => {
    expect(uuid(globalThis.crypto)).toMatch(v4);
  });
  it('builds a version 4 UUID from getRandomValues on insecure pages', () => {
    const insecure = { getRandomValues: globalThis.crypto.getRandomValues.bind(globalThis.crypto) };
    const ids = new Set(Array.from({ length: 100 }, () => uuid(insecure as Crypto)));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(v4);
  });
  it('falls back to Math.random without crypto', () => {
    expect(uuid(undefined)).toMatch(v4);
  });
});
