import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint32 } from './fingerprint.js';
import { MessageIdIndex } from './message-id-index.js';

const day = 86_400_000;

describe('fingerprint32', () => {
  it('is stable, non-zero and spreads similar ids', () => {
    expect(fingerprint32('web\u0000abc')).toBe(fingerprint32('web\u0000abc'));
    expect(fingerprint32('')).not.toBe(0);
    const seen = new Set(
      Array.from({ length: 100_000 }, (_, i) => fingerprint32(`web\u0000msg-${i}`)),
    );
    expect(seen.size).toBeGreaterThan(99_990);
  });
});

describe('MessageIdIndex', () => {
  it('finds what was added and nothing else', () => {
    const index = new MessageIdIndex(7 * day);
    index.add(fingerprint32('a'), 1, 0);
    index.add(fingerprint32('b'), 2, 0);
    expect(index.candidates(fingerprint32('a'))).toEqual([1]);
    expect(index.candidates(fingerprint32('c'))).toEqual([]);
  });

  it('returns every offset sharing a fingerprint, so collisions can be resolved', () => {
    const index = new MessageIdIndex(7 * day);
    index.add(42, 10, 0);
    index.add(42, 11, 0);
    index.add(42, 5_000_000_000, 3 * day);
    expect(index.candidates(42).sort((a, b) => a - b)).toEqual([10, 11, 5_000_000_000]);
  });

  it('keeps every entry through growth (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 5000 }),
        (fingerprints) => {
          const index = new MessageIdIndex(7 * day);
          fingerprints.forEach((f, i) => index.add(f, i + 1, i));
          expect(index.size).toBe(fingerprints.length);
          fingerprints.forEach((f, i) => expect(index.candidates(f)).toContain(i + 1));
        },
      ),
      { numRuns: 30 },
    );
  });

  it('finds every entry while a growth is moving them, duplicates included (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 ** 32 - 1 }), { minLength: 700, maxLength: 3500 }),
        fc.integer({ min: 1, max: 50 }),
        (fingerprints, repeatEvery) => {
          const index = new MessageIdIndex(7 * day);
          const expected = new Map<number, number[]>();
          fingerprints.forEach((raw, i) => {
            // Some fingerprints repeat, as colliding messageIds do.
            const f = i % repeatEvery === 0 && i > 0 ? (fingerprints[i - 1] as number) : raw;
            index.add(f, i + 1, i);
            expected.set(f, [...(expected.get(f) ?? []), i + 1]);
            // Checked after every add: the growths at 768 and 1,536 and 3,072 entries are
            // still moving entries for a few hundred adds after each.
            const probe = i % 2 === 0 ? f : (fingerprints[(i * 7) % (i + 1)] as number);
            const found = index.candidates(probe).sort((a, b) => a - b);
            expect(found).toEqual(expected.get(probe) ?? []);
          });
          expect(index.size).toBe(fingerprints.length);
        },
      ),
      { numRuns: 20, endOnFailure: true },
    );
  });

  it('drops generations once they are entirely outside the window', () => {
    const index = new MessageIdIndex(7 * day, day);
    index.add(1, 1, 0);
    index.add(2, 2, 2 * day);
    index.expire(7 * day + 1);
    expect(index.candidates(1)).toEqual([]);
    expect(index.candidates(2)).toEqual([2]);
    index.expire(9 * day + 1);
    expect(index.size).toBe(0);
  });

  it('keeps a generation while any of its entries is inside the window', () => {
    const index = new MessageIdIndex(7 * day, day);
    index.add(1, 1, 0);
    index.add(2, 2, day - 1);
    index.expire(7 * day + 10);
    expect(index.candidates(1)).toEqual([1]); // the caller checks receivedAt against the window
  });

  it('costs about 8 to 16 bytes per entry, twice that while a growth moves entries', () => {
    const index = new MessageIdIndex(7 * day);
    let peak = 0;
    for (let i = 1; i <= 140_000; i++) {
      index.add(fingerprint32(`m-${i}`), i, 0);
      if (i >= 10_000) peak = Math.max(peak, index.bytes / index.size);
    }
    // The growth at 98,304 entries has moved everything by 131,072.
    expect(index.bytes / index.size).toBeLessThanOrEqual(16);
    expect(peak).toBeLessThanOrEqual(33);
  });
});
