import type { StoredEvent } from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { LoggedEvent } from './event-log.store.js';

export function toStoredEvent(event: LoggedEvent): StoredEvent {
  return {
    offset: event.offset,
    sourceId: event.sourceId,
    messageId: event.messageId,
    type: event.type,
    event: event.event,
    userId: event.userId,
    anonymousId: event.anonymousId,
    timestamp: formatIsoTimestamp(event.timestamp),
    originalTimestamp:
      event.originalTimestamp === null ? null : formatIsoTimestamp(event.originalTimestamp),
    sentAt: event.sentAt === null ? null : formatIsoTimestamp(event.sentAt),
    receivedAt: formatIsoTimestamp(event.receivedAt),
    message: JSON.parse(event.message) as Record<string, unknown>,
  };
}
