import { anonymizedIdPrefix, rewriteMessagePii, type PiiPolicy } from '@attune/engine';
import type { PendingEvent } from '../ingestion/steps/normalize-message.js';

/** The message stored without identity, or null when nothing useful would remain. */
export type Anonymizer = (pending: PendingEvent) => PendingEvent | null;

type Json = Record<string, unknown>;

/** Context fields that identify a person or a device. */
const identifyingContext = ['traits', 'ip', 'externalIds'];
const identifyingDevice = ['id', 'advertisingId', 'token'];

/**
 * Anonymization for events without analytics consent: userId, traits, context.traits,
 * context.ip, context.externalIds, device ids and every PII value (the PII policy's keys
 * in properties) are removed, and anonymousId becomes a fresh random id per message, so
 * no two stored events can be linked to each other or to a person. The id carries a prefix
 * the processor recognizes, so it builds no profile from it. An alias (only identifiers)
 * is dropped.
 */
export function anonymizer(pii: PiiPolicy, randomId: () => string): Anonymizer {
  return (pending) => {
    const { event, message } = pending;
    if (event.type === 'alias') return null;
    const stripped: Json = {};
    for (const key of Object.keys(message)) {
      if (key === 'userId' || key === 'traits' || key === 'previousId') continue;
      Object.defineProperty(stripped, key, {
        value: message[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    const anonymousId = `${anonymizedIdPrefix}${randomId()}`;
    stripped['anonymousId'] = anonymousId;
    const context = stripContext(message['context']);
    if (context !== undefined) stripped['context'] = context;
    // Undefined values vanish when the message is serialized again.
    const clean = rewriteMessagePii(stripped, pii, () => undefined);
    return {
      event: { ...event, userId: null, anonymousId },
      message: clean,
      messageStale: true,
      ...(pending.assessment === undefined ? {} : { assessment: pending.assessment }),
    };
  };
}

function stripContext(value: unknown): Json | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const context: Json = { ...(value as Json) };
  for (const key of identifyingContext) delete context[key];
  const device = context['device'];
  if (typeof device === 'object' && device !== null && !Array.isArray(device)) {
    const copy: Json = { ...(device as Json) };
    for (const key of identifyingDevice) delete copy[key];
    context['device'] = copy;
  }
  return context;
}
