import type { NewEvent } from '../event-log/event-log.store.js';
import type { MergeRecord } from './identity.store.js';

/** Events Attune writes itself come from this source; the processor does not re-resolve them. */
export const internalSourceId = 'attune';
export const identityMergedEvent = 'Identity Merged';

/**
 * A merge as a log event, so downstream consumers (exports, webhooks, warehouses) learn of
 * it. The messageId is a function of the merged profile — merged once, ever — so emitting it
 * again (after a crash, or after a replay) is deduplicated by the log.
 */
export function mergeEventOf(merge: MergeRecord, receivedAt: number): NewEvent {
  const messageId = `identity-merged:${merge.mergedId}`;
  const timestamp = new Date(merge.eventTime).toISOString();
  const message = {
    type: 'track',
    event: identityMergedEvent,
    messageId,
    userId: null,
    anonymousId: merge.mergedId,
    timestamp,
    properties: {
      survivorId: merge.survivorId,
      mergedId: merge.mergedId,
      mergeSeq: merge.seq,
      identifiers: merge.identifiers,
      reason: 'an event carried identifiers of both profiles',
      causedBy: { offset: merge.eventOffset, messageId: merge.eventMessageId },
    },
    context: { library: { name: 'attune', version: '1' } },
  };
  return {
    sourceId: internalSourceId,
    messageId,
    type: 'track',
    event: identityMergedEvent,
    userId: null,
    anonymousId: merge.mergedId,
    timestamp: merge.eventTime,
    originalTimestamp: merge.eventTime,
    sentAt: null,
    receivedAt,
    message: JSON.stringify(message),
  };
}

/** The merge sequence number carried by an `Identity Merged` event, if it is one. */
export function mergeSeqOf(message: Record<string, unknown>): number | null {
  if (message['event'] !== identityMergedEvent) return null;
  const properties = message['properties'] as Record<string, unknown> | undefined;
  const seq = properties?.['mergeSeq'];
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
}
