import { defaultIdentityRules, extractIdentifiers } from '@attune/engine';
import { describe, expect, it } from 'vitest';
import { validateMessage } from '../ingestion/steps/validate-message.js';
import { messageTraits } from './message-traits.js';
import { profileMessage } from './profile-message.js';
import type { EventFields } from '../event-log/event-log.store.js';

/** The fields the log would hold for this message text, as ingestion derives them. */
function logged(text: string): EventFields {
  const outcome = validateMessage(JSON.parse(text), '', null);
  if (outcome.kind !== 'ok')
    throw new Error(`test message not accepted: ${JSON.stringify(outcome)}`);
  const { message, userId, anonymousId } = outcome.value;
  return {
    offset: 1,
    sourceId: 'web',
    messageId: 'm1',
    type: message.type,
    event: message.type === 'track' ? message.event : null,
    userId,
    anonymousId,
    timestamp: 0,
    originalTimestamp: null,
    sentAt: null,
    receivedAt: 0,
  };
}

const withComputed = (name: string) => name === 'Order Completed';

const cases: Record<string, string> = {
  'plain track': '{"type":"track","event":"Viewed","userId":"u1","anonymousId":"a1"}',
  'numeric userId': '{"type":"track","event":"Viewed","userId":42}',
  'padded ids': '{"type":"page","userId":"  u1 ","anonymousId":"a1 "}',
  'empty userId (a junk value data quality counts)':
    '{"type":"track","event":"Viewed","userId":"","anonymousId":"a1"}',
  'junk anonymousId': '{"type":"screen","anonymousId":"undefined","userId":"u2"}',
  'context traits with email':
    '{"type":"track","event":"Viewed","anonymousId":"a1","context":{"traits":{"email":"A@x.io"}}}',
  'external ids':
    '{"type":"page","anonymousId":"a1","context":{"externalIds":[{"id":"c9","type":"crm_id"}]}}',
  'key spelled with an escape':
    '{"type":"track","event":"Viewed","anonymousId":"a1","context":{"tr\\u0061its":{"email":"b@x.io"}}}',
  'userId inside properties only':
    '{"type":"track","event":"Viewed","anonymousId":"a1","properties":{"userId":"other"}}',
  identify: '{"type":"identify","userId":"u1","traits":{"email":"c@x.io","phone":"+4930123456"}}',
  alias: '{"type":"alias","userId":"u1","previousId":"a7"}',
  'track with a computed trait':
    '{"type":"track","event":"Order Completed","userId":"u1","properties":{"revenue":5}}',
};

describe('profileMessage', () => {
  it.each(Object.entries(cases))(
    'reads the same identifiers and traits as the full message: %s',
    (_name, text) => {
      const event = logged(text);
      const full = JSON.parse(text) as Record<string, unknown>;
      const read = profileMessage(event, text, withComputed);
      expect(extractIdentifiers(read, defaultIdentityRules)).toEqual(
        extractIdentifiers(full, defaultIdentityRules),
      );
      expect(messageTraits(read)).toEqual(messageTraits(full));
    },
  );

  it('answers plain events from the columns and parses the rest', () => {
    const plain = cases['plain track']!;
    expect(profileMessage(logged(plain), plain, withComputed)).toEqual({
      type: 'track',
      userId: 'u1',
      anonymousId: 'a1',
    });
    const order = cases['track with a computed trait']!;
    expect(profileMessage(logged(order), order, withComputed)).toHaveProperty(
      'properties.revenue',
      5,
    );
  });
});
