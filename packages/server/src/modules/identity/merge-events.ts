import type { NewEvent } from '../event-log/event-log.store.js';
import { internalTrackEvent } from '../event-log/internal-events.js';
import type { MergeRecord } from './identity.store.js';

export { internalSourceId } from '../event-log/internal-events.js';
export const identityMergedEvent = 'Identity Merged';

/**
 * A merge as a log event, so downstream consumers (exports, webhooks, warehouses) learn of
 * it. The messageId is a function of the merged profile — merged once, ever — so emitting it
 * again (after a crash, or after a replay) is deduplicated by the log.
 */
export function mergeEventOf(merge: MergeRecord, receivedAt: number): NewEvent {
  return internalTrackEvent(
    {
      event: identityMergedEvent,
      messageId: `identity-merged:${merge.mergedId}`,
      profileId: merge.mergedId,
      at: merge.eventTime,
      properties: {
        survivorId: merge.survivorId,
        mergedId: merge.mergedId,
        mergeSeq: merge.seq,
        identifiers: merge.identifiers,
        reason: 'an event carried identifiers of both profiles',
        causedBy: { offset: merge.eventOffset, messageId: merge.eventMessageId },
      },
    },
    receivedAt,
  );
}
