import { ingestLimits } from '@attune/contracts';
import { applyBatchDefaults, resolveEventTime, type BatchDefaults } from '@attune/engine';
import type { NewEvent } from '../../event-log/event-log.store.js';
import { ok, reject, type StepOutcome } from './step-outcome.js';
import type { ValidMessage } from './validate-message.js';

export interface NormalizeContext {
  sourceId: string;
  receivedAt: number;
  /** Batch-level sentAt, for messages without their own. */
  batchSentAt: number | null;
  defaults: BatchDefaults;
  newMessageId(): string;
}

/**
 * An event on its way to the log. Later steps (consent, PII protection) may replace
 * `message`; they must then set `json` to null so it is serialized again.
 */
export interface PendingEvent {
  fields: Omit<NewEvent, 'message'>;
  message: Record<string, unknown>;
  json: string | null;
}

/**
 * Step 5: the normalized fields of one message — messageId (generated when missing),
 * skew-corrected timestamp, receivedAt — and the message as it will be stored: batch
 * defaults merged in, the write key removed. Enforces the 32 KB message limit.
 */
export function normalizeMessage(
  valid: ValidMessage,
  pointer: string,
  ctx: NormalizeContext,
): StepOutcome<PendingEvent> {
  const { message, userId, anonymousId, originalTimestamp } = valid;
  let stored = message as unknown as Record<string, unknown>;
  if ('writeKey' in stored) {
    const { writeKey: _writeKey, ...rest } = stored;
    stored = rest;
  }
  stored = applyBatchDefaults(stored, ctx.defaults);
  const json = JSON.stringify(stored);
  // Segment's limit counts bytes; a JS string's length counts UTF-16 units, so only
  // strings that could be over the limit are measured exactly.
  if (
    json.length * 3 > ingestLimits.maxMessageBytes &&
    Buffer.byteLength(json) > ingestLimits.maxMessageBytes
  ) {
    return reject(
      'message_too_large',
      `A message may be at most ${ingestLimits.maxMessageBytes} bytes of JSON; this one is ${Buffer.byteLength(json)}`,
      pointer,
    );
  }
  const sentAt = valid.sentAt ?? ctx.batchSentAt;
  const messageId = message.messageId ?? ctx.newMessageId();
  return ok({
    fields: {
      sourceId: ctx.sourceId,
      messageId,
      type: message.type,
      event: eventName(message),
      userId,
      anonymousId,
      timestamp: resolveEventTime({ receivedAt: ctx.receivedAt, sentAt, originalTimestamp }),
      originalTimestamp,
      sentAt,
      receivedAt: ctx.receivedAt,
    },
    message: stored,
    json,
  });
}

function eventName(message: ValidMessage['message']): string | null {
  switch (message.type) {
    case 'track':
      return message.event;
    case 'page':
    case 'screen':
      return message.name ?? null;
    default:
      return null;
  }
}
