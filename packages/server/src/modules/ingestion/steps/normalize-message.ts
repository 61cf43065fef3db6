import { ingestLimits } from '@attune/contracts';
import { applyBatchDefaults, resolveEventTime, type BatchDefaults } from '@attune/engine';
import type { NewEvent } from '../../event-log/event-log.store.js';
import type { Assessment } from '../ingest-tally.js';
import { ok, reject, type StepOutcome } from './step-outcome.js';
import type { ValidMessage } from './validate-message.js';

export interface NormalizeContext {
  sourceId: string;
  receivedAt: number;
  /** Batch-level sentAt, for messages without their own. */
  batchSentAt: number | null;
  defaults: BatchDefaults;
  newMessageId(): string;
  /**
   * Messages built in-process (no text sent): serialize them once, after the steps, rather
   * than here and again when a step (PII protection) changes them. `event.message` is then
   * '' until that serialization.
   */
  serializeAfterSteps?: boolean;
}

/**
 * An event on its way to the log: `event.message` is the JSON text to store and `message`
 * the same as an object. A later step (consent, PII protection) that changes `message`
 * sets `messageStale`, and the text is serialized again before storage. A message built
 * in-process arrives stale with no text yet ('', see `serializeAfterSteps`).
 */
export interface PendingEvent {
  event: NewEvent;
  message: Record<string, unknown>;
  messageStale: boolean;
  /** Set by a step that checked the message and let it through: how to count it. */
  assessment?: Assessment;
}

/**
 * Step 5: the normalized fields of one message — messageId (generated when missing),
 * skew-corrected timestamp, receivedAt — and the message as it will be stored: batch
 * defaults merged in, the write key removed. `sentText` is the message exactly as sent,
 * stored as is when nothing had to change. Enforces the 32 KB message limit.
 */
export function normalizeMessage(
  valid: ValidMessage,
  sentText: string | null,
  pointer: string,
  ctx: NormalizeContext,
): StepOutcome<PendingEvent> {
  const { message, userId, anonymousId, originalTimestamp } = valid;
  let stored = message as unknown as Record<string, unknown>;
  let text = valid.typeImplied ? null : sentText;
  if ('writeKey' in stored) {
    const { writeKey: _writeKey, ...rest } = stored;
    stored = rest;
    text = null;
  }
  const merged = applyBatchDefaults(stored, ctx.defaults);
  if (merged !== stored) text = null;
  let json = text;
  if (json === null && ctx.serializeAfterSteps !== true) {
    json = serializeMessage(merged);
    if (json === null) return tooDeep(pointer);
  }
  if (json !== null) {
    const tooLarge = sizeRejection(json, pointer);
    if (tooLarge !== null) return tooLarge;
  }
  const sentAt = valid.sentAt ?? ctx.batchSentAt;
  return ok({
    event: {
      sourceId: ctx.sourceId,
      messageId: message.messageId ?? ctx.newMessageId(),
      type: message.type,
      event: eventName(message),
      userId,
      anonymousId,
      timestamp: resolveEventTime({ receivedAt: ctx.receivedAt, sentAt, originalTimestamp }),
      originalTimestamp,
      sentAt,
      receivedAt: ctx.receivedAt,
      message: json ?? '',
    },
    message: merged,
    messageStale: json === null,
  });
}

/** Refuses JSON text over Segment's 32 KB message limit. */
export function sizeRejection(json: string, pointer: string): StepOutcome<never> | null {
  // Segment's limit counts bytes; a JS string's length counts UTF-16 units, so only
  // strings that could be over the limit are measured exactly.
  if (
    json.length * 3 <= ingestLimits.maxMessageBytes ||
    Buffer.byteLength(json) <= ingestLimits.maxMessageBytes
  )
    return null;
  return reject(
    'message_too_large',
    `A message may be at most ${ingestLimits.maxMessageBytes} bytes of JSON; this one is ${Buffer.byteLength(json)}`,
    pointer,
  );
}

/**
 * A stack overflow. JSON.parse takes any depth, but what walks a message afterwards
 * recurses (JSON.stringify, validation, the PII walker): a message nested thousands deep
 * overflows it.
 */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/**
 * The message as JSON text, or null when it is nested too deeply for JSON.stringify (a
 * stack overflow): JSON.parse takes any depth, so a message sent as thousands of nested
 * arrays parses, and must then be refused as bad input rather than fail the request.
 */
export function serializeMessage(message: Record<string, unknown>): string | null {
  try {
    return JSON.stringify(message);
  } catch (error) {
    if (isStackOverflow(error)) return null;
    throw error;
  }
}

export function tooDeep(pointer: string): StepOutcome<never> {
  return reject(
    'message_too_deep',
    'The message is nested too deeply to be stored; flatten its properties, traits or context',
    pointer,
  );
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
