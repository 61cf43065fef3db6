import type { EventFields } from '../event-log/event-log.store.js';

type Json = Record<string, unknown>;

const plainTypes = new Set(['track', 'page', 'screen']);

/**
 * The message as far as the profile step reads it. Parsing ~500 bytes of JSON per event is
 * about a tenth of the processor's time, and most events are plain track/page/screen calls
 * whose only identifiers are the userId/anonymousId the log already holds as columns: those
 * are answered from the columns. Whatever could carry more is parsed: traits, external ids,
 * `\u` escapes (a key could be spelled with them), an id key whose column is empty (it may
 * hold a junk value that data quality counts), and track events whose properties something
 * reads (a computed trait, a segment's event filter).
 */
export function profileMessage(
  event: EventFields,
  text: string,
  readsProperties: (eventName: string) => boolean,
): Json {
  if (
    !plainTypes.has(event.type) ||
    (event.type === 'track' && event.event !== null && readsProperties(event.event)) ||
    text.includes('"traits"') ||
    text.includes('"externalIds"') ||
    text.includes('\\u') ||
    (event.userId === null && text.includes('"userId"')) ||
    (event.anonymousId === null && text.includes('"anonymousId"'))
  ) {
    return JSON.parse(text) as Json;
  }
  const message: Json = { type: event.type };
  if (event.userId !== null) message['userId'] = event.userId;
  if (event.anonymousId !== null) message['anonymousId'] = event.anonymousId;
  return message;
}
