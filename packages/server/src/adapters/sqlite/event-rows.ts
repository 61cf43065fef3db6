import type { MessageType } from '@attune/contracts';
import type {
  EventFields,
  LoggedEvent,
  NewEvent,
} from '../../modules/event-log/event-log.store.js';
import type { OpenedText } from '../../modules/privacy/pii-cipher.js';

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

/** Column order of `eventColumns`; rows are read raw (as arrays), which is cheaper. */
export type EventRow = [
  seq: number,
  sourceId: string,
  messageId: string,
  type: string,
  event: string | null,
  userId: string | null,
  anonymousId: string | null,
  timestamp: number,
  originalTimestamp: number | null,
  sentAt: number | null,
  receivedAt: number,
  message?: string,
];

export const fieldColumns =
  'seq, source_id, message_id, type, event, user_id, anonymous_id, timestamp, original_timestamp, sent_at, received_at';
export const eventColumns = `${fieldColumns}, message`;

export function toEventFields(row: EventRow): EventFields {
  return {
    offset: row[0],
    sourceId: row[1],
    messageId: row[2],
    type: row[3] as MessageType,
    event: row[4],
    userId: row[5],
    anonymousId: row[6],
    timestamp: row[7],
    originalTimestamp: row[8],
    sentAt: row[9],
    receivedAt: row[10],
  };
}

/** Decrypts a stored message's text (PiiCipher.openText). */
export type OpenText = (text: string) => OpenedText;

/**
 * The one place stored events are opened: the message with its PII decrypted, and the ids
 * in the clear (the columns hold their pseudonyms; old events, their plain values).
 */
export function toLoggedEvent(row: EventRow, open: OpenText): LoggedEvent {
  const event = toEventFields(row) as LoggedEvent;
  const opened = open(row[11] ?? '');
  event.message = opened.text;
  if (opened.userId !== undefined) event.userId = opened.userId;
  if (opened.anonymousId !== undefined) event.anonymousId = opened.anonymousId;
  return event;
}
