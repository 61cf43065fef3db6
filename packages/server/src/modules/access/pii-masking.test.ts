import { piiPolicy } from '@attune/engine';
import { describe, expect, it } from 'vitest';
import { maskLeaf, maskPii } from './pii-masking.js';

const policy = piiPolicy(['traits.ssn']);

describe('maskLeaf', () => {
  it.each([
    ['ann@example.com', 'a***@example.com'],
    ['+4712345678', '[masked]'],
    ['Ann', '[masked]'],
    ['@handle', '[masked]'],
    [42, '[masked]'],
    [true, '[masked]'],
  ])('%j → %j', (value, masked) => expect(maskLeaf(value)).toBe(masked));
});

describe('maskPii', () => {
  it('masks a profile: PII traits, computed traits, configured paths and PII identifiers', () => {
    const profile = {
      id: 'p_1',
      identifiers: [
        { type: 'email', value: 'ann@example.com' },
        { type: 'user_id', value: 'ann-42' },
        { type: 'phone', value: '+4712345678' },
      ],
      traits: { email: 'ann@example.com', ssn: '123', plan: 'pro', first_name: 'Ann' },
      computed: { rfm: { score: '555' } },
    };
    expect(maskPii('profile', profile, policy)).toEqual({
      id: 'p_1',
      identifiers: [
        { type: 'email', value: 'a***@example.com' },
        { type: 'user_id', value: 'ann-42' },
        { type: 'phone', value: '[masked]' },
      ],
      traits: { email: 'a***@example.com', ssn: '[masked]', plan: 'pro', first_name: '[masked]' },
      computed: { rfm: { score: '555' } },
    });
    expect(profile.traits.email).toBe('ann@example.com'); // the input is not changed
  });

  it('masks merges and conflicts by identifier kind', () => {
    expect(
      maskPii(
        'merges',
        { merges: [{ identifiers: [{ type: 'email', value: 'bob@x.org' }] }] },
        policy,
      ),
    ).toEqual({ merges: [{ identifiers: [{ type: 'email', value: 'b***@x.org' }] }] });
    expect(
      maskPii(
        'conflicts',
        {
          conflicts: [
            { identifier: { type: 'user_id', value: 'u1' } },
            { identifier: { type: 'email', value: 'c@x.org' } },
            { identifier: null },
          ],
          next: 3,
        },
        policy,
      ),
    ).toEqual({
      conflicts: [
        { identifier: { type: 'user_id', value: 'u1' } },
        { identifier: { type: 'email', value: 'c***@x.org' } },
        { identifier: null },
      ],
      next: 3,
    });
  });

  it('leaves payloads of other shapes alone', () => {
    expect(maskPii('events', 'text', policy)).toBe('text');
    const page = { events: 'not a list' };
    expect(maskPii('events', page, policy)).toBe(page);
  });
});
