import { describe, expect, it } from 'vitest';
import type { PendingEvent } from '../ingestion/steps/normalize-message.js';
import { testCipher } from '../../testing/test-cipher.js';
import { protectPiiStep } from './protect-pii.step.js';

const pendingOf = (message: Record<string, unknown>): PendingEvent => ({
  event: {
    sourceId: 'web',
    messageId: 'm1',
    type: 'identify',
    event: null,
    userId: (message['userId'] as string | undefined) ?? null,
    anonymousId: (message['anonymousId'] as string | undefined) ?? null,
    timestamp: 1,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 1,
    message: JSON.stringify(message),
  },
  message,
  messageStale: false,
});

describe('protectPiiStep', () => {
  const cipher = testCipher();
  const step = protectPiiStep(cipher);

  it('encrypts the PII, pseudonymizes the id columns and marks the message for storage', () => {
    const outcome = step(
      pendingOf({
        type: 'identify',
        userId: ' ann@x.io',
        anonymousId: 'a1',
        traits: { email: 'ann@x.io' },
      }),
      '',
    );
    if (outcome.kind !== 'ok') throw new Error('expected ok');
    const { event, message, messageStale } = outcome.value;
    expect(messageStale).toBe(true);
    expect(event.userId).toBe(cipher.pseudonym('user_id', 'ann@x.io'));
    expect(event.anonymousId).toBe(cipher.pseudonym('anonymous_id', 'a1'));
    expect(JSON.stringify(message)).not.toContain('ann@x.io');
  });

  it('keeps the assessment a step before it made', () => {
    const pending = pendingOf({ type: 'track', anonymousId: 'a1' });
    pending.assessment = { outcome: 'flagged', reason: 'x', issues: [] };
    const outcome = step(pending, '');
    expect(outcome.kind === 'ok' && outcome.value.assessment).toEqual(pending.assessment);
  });
});
