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
      null,
      '',
      context,
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        event: {
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
      null,
      '',
      context,
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { event: { messageId: 'm-1', event: 'Home' } },
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
      null,
      '',
      { ...context, batchSentAt: receivedAt + clientAhead - 500 },
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { event: { timestamp: receivedAt - 1500 } },
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
      null,
      '',
      { ...context, batchSentAt: Date.UTC(2030, 0, 1) },
    );
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: { event: { timestamp: receivedAt - 10_000 } },
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
      null,
      '',
      { ...context, defaults: { context: { locale: 'de-DE', ip: '9.9.9.9' } } },
    );
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    const stored = JSON.parse(outcome.value.event.message) as Record<string, unknown>;
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
      null,
      '/batch/7',
      context,
    );
    expect(outcome).toMatchObject({ kind: 'reject', code: 'message_too_large', field: '/batch/7' });
  });

  it('accepts a message just under 32 KB', () => {
    const outcome = normalizeMessage(
      valid({ type: 'track', event: 'X', userId: 'u', properties: { note: 'a'.repeat(32_000) } }),
      null,
      '',
      context,
    );
    expect(outcome.kind).toBe('ok');
  });
});

describe('normalizeMessage and the text as sent', () => {
  const sent = '{"event":"X",  "userId":"u","type":"track","properties":{"b":1,"a":2}}';
  const message = JSON.parse(sent) as Record<string, unknown>;

  it('stores the message exactly as sent when nothing changes', () => {
    const outcome = normalizeMessage(valid(message), sent, '', context);
    expect(outcome).toMatchObject({ kind: 'ok', value: { event: { message: sent } } });
  });

  it('serializes again when the write key must go', () => {
    const withKey = '{"event":"X","userId":"u","type":"track","writeKey":"wk"}';
    const outcome = normalizeMessage(
      valid(JSON.parse(withKey) as Record<string, unknown>),
      withKey,
      '',
      context,
    );
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    expect(JSON.parse(outcome.value.event.message)).toEqual({
      event: 'X',
      userId: 'u',
      type: 'track',
    });
  });

  it('serializes again when batch defaults are merged in', () => {
    const outcome = normalizeMessage(valid(message), sent, '', {
      ...context,
      defaults: { context: { ip: '1.1.1.1' } },
    });
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    expect(JSON.parse(outcome.value.event.message)).toMatchObject({ context: { ip: '1.1.1.1' } });
  });

  it('serializes again when the endpoint implied the type', () => {
    const untyped = '{"event":"X","userId":"u"}';
    const checked = validateMessage(JSON.parse(untyped), '', 'track');
    if (checked.kind !== 'ok') throw new Error('expected ok');
    const outcome = normalizeMessage(checked.value, untyped, '', context);
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    expect(JSON.parse(outcome.value.event.message)).toEqual({
      event: 'X',
      userId: 'u',
      type: 'track',
    });
  });
});

describe('a message nested deeper than JSON.stringify can go', () => {
  // Found by the hostile-input fuzz test: JSON.parse took it, the re-serialization threw a
  // RangeError and the request ended in a 500.
  const deep = JSON.parse(`${'['.repeat(20_000)}1${']'.repeat(20_000)}`) as unknown;

  it('is refused as message_too_deep at its pointer when it must be serialized again', () => {
    const message = valid({ type: 'track', event: 'E', userId: 'u', properties: { deep } });
    expect(normalizeMessage(message, null, '/batch/2', context)).toMatchObject({
      kind: 'reject',
      code: 'message_too_deep',
      field: '/batch/2',
    });
  });

  it('is stored as sent when its text can be kept', () => {
    const message = valid({ type: 'track', event: 'E', userId: 'u', properties: { deep } });
    expect(normalizeMessage(message, '{"sent":"as is"}', '', context).kind).toBe('ok');
  });
});

describe('a message built in-process (serializeAfterSteps)', () => {
  it('is not serialized here: its text is left for after the steps', () => {
    const message = valid({ type: 'track', event: 'E', userId: 'u', properties: { a: 1 } });
    const outcome = normalizeMessage(message, null, '/batch/0', {
      ...context,
      serializeAfterSteps: true,
    });
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    expect(outcome.value.event.message).toBe('');
    expect(outcome.value.messageStale).toBe(true);
    expect(outcome.value.message).toMatchObject({ event: 'E', properties: { a: 1 } });
  });

  it('keeps text that was sent, and measures it', () => {
    const sent = JSON.stringify({ type: 'track', event: 'E', userId: 'u' });
    const message = valid(JSON.parse(sent) as Record<string, unknown>);
    const ctx = { ...context, serializeAfterSteps: true };
    const outcome = normalizeMessage(message, sent, '', ctx);
    expect(outcome).toMatchObject({ kind: 'ok', value: { messageStale: false } });
    const big = JSON.stringify({ type: 'track', event: 'E', userId: 'u', p: 'x'.repeat(33_000) });
    const tooBig = normalizeMessage(
      valid(JSON.parse(big) as Record<string, unknown>),
      big,
      '',
      ctx,
    );
    expect(tooBig).toMatchObject({ kind: 'reject', code: 'message_too_large' });
  });
});
