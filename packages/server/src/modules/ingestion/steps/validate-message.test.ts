import { describe, expect, it } from 'vitest';
import { validateMessage } from './validate-message.js';

const base = { userId: 'u1' };

function rejection(
  item: unknown,
  pointer = '/batch/0',
  implied: Parameters<typeof validateMessage>[2] = null,
) {
  const outcome = validateMessage(item, pointer, implied);
  if (outcome.kind !== 'reject') throw new Error(`expected a rejection, got ${outcome.kind}`);
  return { code: outcome.code, field: outcome.field };
}

describe('validateMessage', () => {
  it.each([
    [{ type: 'track', event: 'Signed Up', ...base }],
    [{ type: 'identify', traits: { email: 'a@b.c' }, ...base }],
    [{ type: 'page', name: 'Home', anonymousId: 'a1' }],
    [{ type: 'page', name: null, anonymousId: 'a1' }],
    [{ type: 'screen', name: 'Cart', ...base }],
    [{ type: 'group', groupId: 'g1', ...base }],
    [{ type: 'group', groupId: 42, ...base }],
    [{ type: 'alias', previousId: 'anon-1', ...base }],
    [{ type: 'track', event: 'X', userId: 42, _metadata: { bundled: [] }, channel: 'server' }],
    [{ type: 'track', event: 'X', userId: null, anonymousId: 'a1' }],
  ])('accepts %j', (item) => {
    expect(validateMessage(item, '/batch/0', null).kind).toBe('ok');
  });

  it.each([
    ['not an object', 'str', 'invalid_message', '/batch/0'],
    ['an array', [1], 'invalid_message', '/batch/0'],
    ['no type in a batch', { event: 'X', ...base }, 'missing_field', '/batch/0/type'],
    ['an unknown type', { type: 'purchase', ...base }, 'unknown_message_type', '/batch/0/type'],
    ['track without event', { type: 'track', ...base }, 'missing_field', '/batch/0/event'],
    [
      'track with empty event',
      { type: 'track', event: '', ...base },
      'invalid_field',
      '/batch/0/event',
    ],
    [
      'track with numeric event',
      { type: 'track', event: 5, ...base },
      'invalid_field',
      '/batch/0/event',
    ],
    [
      'alias without previousId',
      { type: 'alias', ...base },
      'missing_field',
      '/batch/0/previousId',
    ],
    ['group without groupId', { type: 'group', ...base }, 'missing_field', '/batch/0/groupId'],
    ['no identity', { type: 'track', event: 'X' }, 'missing_identity', '/batch/0/userId'],
    [
      'empty identity',
      { type: 'track', event: 'X', userId: '', anonymousId: null },
      'missing_identity',
      '/batch/0/userId',
    ],
    [
      'an object userId',
      { type: 'track', event: 'X', userId: { id: 1 } },
      'invalid_field',
      '/batch/0/userId',
    ],
    [
      'properties as array',
      { type: 'track', event: 'X', properties: [1], ...base },
      'invalid_field',
      '/batch/0/properties',
    ],
    [
      'context as string',
      { type: 'track', event: 'X', context: 'web', ...base },
      'invalid_field',
      '/batch/0/context',
    ],
    [
      'traits as string',
      { type: 'identify', traits: 'vip', ...base },
      'invalid_field',
      '/batch/0/traits',
    ],
    [
      'a bad timestamp',
      { type: 'track', event: 'X', timestamp: 'yesterday', ...base },
      'invalid_timestamp',
      '/batch/0/timestamp',
    ],
    [
      'a bad sentAt',
      { type: 'track', event: 'X', sentAt: '2026-02-30T00:00:00Z', ...base },
      'invalid_timestamp',
      '/batch/0/sentAt',
    ],
    [
      'a numeric timestamp',
      { type: 'track', event: 'X', timestamp: 1700000000, ...base },
      'invalid_field',
      '/batch/0/timestamp',
    ],
  ])('rejects %s', (_name, item, code, field) => {
    expect(rejection(item)).toEqual({ code, field });
  });

  it('lets the endpoint imply the type, overriding what the body says', () => {
    const outcome = validateMessage({ type: 'identify', event: 'Clicked', ...base }, '', 'track');
    expect(outcome.kind).toBe('ok');
    if (outcome.kind === 'ok') expect(outcome.value.message.type).toBe('track');
  });

  it('points at the field of a single message without a batch prefix', () => {
    expect(rejection({ userId: 'u' }, '', 'track')).toEqual({
      code: 'missing_field',
      field: '/event',
    });
  });

  it('turns numeric ids into text and reads client times', () => {
    const outcome = validateMessage(
      {
        type: 'track',
        event: 'X',
        userId: 42,
        anonymousId: 'a',
        timestamp: '2026-01-01T00:00:00Z',
        sentAt: '2026-01-01T00:00:05Z',
      },
      '',
      null,
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        userId: '42',
        anonymousId: 'a',
        originalTimestamp: Date.UTC(2026, 0, 1),
        sentAt: Date.UTC(2026, 0, 1, 0, 0, 5),
      },
    });
  });

  it('uses originalTimestamp when timestamp is absent (RudderStack SDKs)', () => {
    const outcome = validateMessage(
      { type: 'track', event: 'X', userId: 'u', originalTimestamp: '2026-01-01T00:00:00Z' },
      '',
      null,
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { originalTimestamp: Date.UTC(2026, 0, 1) },
    });
  });
});

// Found by the hostile-input fuzz test: the detail serialized the whole `type`, and a type
// of 20,000 nested arrays overflowed the stack (a 500 for the batch, siblings lost).
describe('an unknown type that is not a string', () => {
  it.each([
    ['deeply nested arrays', JSON.parse(`${'['.repeat(20_000)}1${']'.repeat(20_000)}`), 'an array'],
    ['a huge string', 'x'.repeat(40_000), `"${'x'.repeat(64)}"`],
    ['an object', { a: 1 }, 'an object'],
    ['a number', 7, '7'],
  ])('is refused with a short detail for %s', (_name, type: unknown, shown) => {
    const outcome = validateMessage({ ...base, type }, '/batch/0', null);
    expect(outcome).toMatchObject({ code: 'unknown_message_type', field: '/batch/0/type' });
    expect(outcome.kind === 'reject' && outcome.detail).toContain(`Unknown message type ${shown};`);
  });
});
