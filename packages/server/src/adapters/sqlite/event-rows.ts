import type { MessageType } from '@attune/contracts';
import type { LoggedEvent, NewEvent } from '../../modules/event-log/event-log.store.js';

/**
 * Events cross to the writer thread as one flat array of primitives: structured clone of
 * strings and numbers is far cheaper than of objects.
 */
export const rowWidth = 11;

export function flattenEvents(events: NewEvent[]): unknown[] {
  const flat = new Array<unknown>(events.length * rowWidth);
  let i = 0;
  for (const e of events) {
    flat[i++] = e.sourceId;
    flat[i++] = e.messageId;
    flat[i++] = e.type;
    flat[i++] = e.event;
    flat[i++] = e.userId;
    flat[i++] = e.anonymousId;
    flat[i++] = e.timestamp;
    flat[i++] = e.originalTimestamp;
    flat[i++] = e.sentAt;
    flat[i++] = e.receivedAt;
    flat[i++] = e.message;
  }
  return flat;
}

export interface EventRow {
  seq: number;
  source_id: string;
  message_id: string;
  type: string;
  event: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  timestamp: number;
  original_timestamp: number | null;
  sent_at: number | null;
  received_at: number;
  message: string;
}

export const eventColumns =
  'seq, source_id, message_id, type, event, user_id, anonymous_id, timestamp, original_timestamp, sent_at, received_at, message';

export function toLoggedEvent(row: EventRow): LoggedEvent {
  return {
    offset: row.seq,
    sourceId: row.source_id,
    messageId: row.message_id,
    type: row.type as MessageType,
    event: row.event,
    userId: row.user_id,
    anonymousId: row.anonymous_id,
    timestamp: row.timestamp,
    originalTimestamp: row.original_timestamp,
    sentAt: row.sent_at,
    receivedAt: row.received_at,
    message: row.message,
  };
}
