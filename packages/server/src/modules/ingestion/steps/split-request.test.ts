import { describe, expect, it } from 'vitest';
import { splitRequest } from './split-request.js';

describe('splitRequest', () => {
  it('wraps a single message', () => {
    expect(splitRequest({ userId: 'u' }, '{"userId":"u"}', 'identify')).toMatchObject({
      kind: 'ok',
      value: { items: [{ userId: 'u' }], pointerPrefix: '', impliedType: 'identify', sentAt: null },
    });
  });

  it('reads a batch envelope', () => {
    const body = {
      batch: [{ type: 'track' }],
      context: { ip: '1.1.1.1' },
      sentAt: '2026-11-23T00:00:00Z',
    };
    const outcome = splitRequest(body, JSON.stringify(body), 'batch');
    expect(outcome).toMatchObject({
      kind: 'ok',
      value: {
        pointerPrefix: '/batch/',
        impliedType: null,
        defaults: { context: { ip: '1.1.1.1' } },
        sentAt: Date.UTC(2026, 10, 23),
      },
    });
    // Batch defaults must be merged in, so the item cannot be stored as sent.
    if (outcome.kind === 'ok') expect(outcome.value.itemText(0)).toBeNull();
  });

  it('gives each item exactly as sent when there is nothing to merge', () => {
    const raw = '{ "batch" : [ {"userId":"u", "type":"track"} ,{"type":"page"}], "sentAt": null }';
    const outcome = splitRequest(JSON.parse(raw), raw, 'batch');
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    expect(outcome.value.itemText(0)).toBe('{"userId":"u", "type":"track"}');
    expect(outcome.value.itemText(1)).toBe('{"type":"page"}');
  });

  it.each([
    ['a non-object body', [1, 2], 'invalid_message', ''],
    ['a batch that is not an array', { batch: {} }, 'invalid_batch', '/batch'],
    ['a missing batch', { messages: [] }, 'invalid_batch', '/batch'],
    ['2,501 messages', { batch: new Array(2501).fill({}) }, 'batch_too_many_messages', '/batch'],
    ['a bad batch context', { batch: [], context: 'x' }, 'invalid_field', '/context'],
    ['a bad batch sentAt', { batch: [], sentAt: 'now' }, 'invalid_timestamp', '/sentAt'],
  ])('rejects %s', (_name, body, code, field) => {
    expect(splitRequest(body, JSON.stringify(body), 'batch')).toMatchObject({
      kind: 'reject',
      code,
      field,
    });
  });

  it('accepts exactly 2,500 messages', () => {
    expect(
      splitRequest(
        { batch: new Array(2500).fill({}) },
        JSON.stringify({ batch: new Array(2500).fill({}) }),
        'batch',
      ).kind,
    ).toBe('ok');
  });
});
