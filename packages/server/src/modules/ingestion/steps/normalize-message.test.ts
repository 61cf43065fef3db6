import { describe, expect, it } from 'vitest';
import { normalizeMessage, type NormalizeContext } from './normalize-message.js';
import { validateMessage, type ValidMessage } from './validate-message.js';

const receivedAt = Date.UTC(2026, 10, 23, 12, 0, 0);
const context: NormalizeContext = {
  sourceId: 'web',
  receivedAt,
  batchSentAt: null,
  defaults: {},
  newMessageId: () => 'generated-id',
};

function valid(item: Record<string, unknown>): ValidMessage {
  const outcome = validateMessage(item, '', null);
  if (outcome.kind !== 'ok') throw new Error('test message should be valid');
  return outcome.value;
}

describe('normalizeMessage', () => {
  it('fills messageId and receivedAt and names the event', () => {
    const outcome = normalizeMessage(
      valid({ type: 'track', event: 'Order Completed', userId: 'u' }),
      '',
      context,
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        fields: {
          sourceId: 'web',
          messageId: 'generated-id',
          type: 'track',
          event: 'Order Completed',
          userId: 'u',
          anonymousId: null,
          timestamp: receivedAt,
          receivedAt,
        },
      },
    });
  });

  it('keeps the client messageId and names pages by their name', () => {
    const outcome = normalizeMessage(
      valid({ type: 'page', name: 'Home', messageId: 'm-1', anonymousId: 'a' }),
      '',
      context,
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { fields: { messageId: 'm-1', event: 'Home' } },
    });
  });

  it('corrects clock skew with the batch sentAt', () => {
    const clientAhead = 3_600_000;
    const outcome = normalizeMessage(
      valid({
        type: 'track',
        event: 'X',
        userId: 'u',
        timestamp: new Date(receivedAt + clientAhead - 2000).toISOString(),
      }),
      '',
      { ...context, batchSentAt: receivedAt + clientAhead - 500 },
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { fields: { timestamp: receivedAt - 1500 } },
    });
  });

  it('prefers the message sentAt over the batch one', () => {
    const outcome = normalizeMessage(
      valid({
        type: 'track',
        event: 'X',
        userId: 'u',
        timestamp: '2026-11-23T11:00:00Z',
        sentAt: '2026-11-23T11:00:10Z',
      }),
      '',
      { ...context, batchSentAt: Date.UTC(2030, 0, 1) },
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { fields: { timestamp: receivedAt - 10_000 } },
    });
  });

  it('stores the message without writeKey, with batch defaults merged', () => {
    const outcome = normalizeMessage(
      valid({
        type: 'track',
        event: 'X',
        userId: 'u',
        writeKey: 'secret',
        context: { ip: '1.2.3.4' },
      }),
      '',
      { ...context, defaults: { context: { locale: 'de-DE', ip: '9.9.9.9' } } },
    );
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    const stored = JSON.parse(outcome.value.json ?? '') as Record<string, unknown>;
    expect(stored).toEqual({
      type: 'track',
      event: 'X',
      userId: 'u',
      context: { ip: '1.2.3.4', locale: 'de-DE' },
    });
  });

  it('rejects a message over 32 KB, counting bytes not characters', () => {
    // 11,000 three-byte characters: 33,000 bytes but only 11,000 UTF-16 units.
    const outcome = normalizeMessage(
      valid({ type: 'track', event: 'X', userId: 'u', properties: { note: '€'.repeat(11_000) } }),
      '/batch/7',
      context,
    );
    expect(outcome).toMatchObject({ kind: 'reject', code: 'message_too_large', field: '/batch/7' });
  });

  it('accepts a message just under 32 KB', () => {
    const outcome = normalizeMessage(
      valid({ type: 'track', event: 'X', userId: 'u', properties: { note: 'a'.repeat(32_000) } }),
      '',
      context,
    );
    expect(outcome.kind).toBe('ok');
  });
});
