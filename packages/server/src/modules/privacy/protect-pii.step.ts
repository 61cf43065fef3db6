import type { MessageStep } from '../ingestion/ingestion.service.js';
import type { PendingEvent } from '../ingestion/steps/normalize-message.js';
import type { PiiCipher } from './pii-cipher.js';

/**
 * Step 7 of ingest (after the consent gate): PII never reaches the log in the clear. PII
 * leaves and the message's ids are encrypted (see PiiCipher.protectMessage), and the log's
 * user_id/anonymous_id lookup columns get the ids' pseudonyms.
 */
export function protectPiiStep(
  cipher: Pick<PiiCipher, 'protectMessage' | 'idColumn'>,
): MessageStep {
  return (pending) => {
    const { event, message, assessment } = pending;
    const protectedMessage = cipher.protectMessage(message);
    event.userId = cipher.idColumn('user_id', event.userId);
    event.anonymousId = cipher.idColumn('anonymous_id', event.anonymousId);
    // Built field by field: an object spread is slow on this path.
    const next: PendingEvent = {
      event,
      message: protectedMessage,
      messageStale: pending.messageStale || protectedMessage !== message,
    };
    if (assessment !== undefined) next.assessment = assessment;
    return { kind: 'ok', value: next };
  };
}
