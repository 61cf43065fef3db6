import {
  isMessageType,
  messageSchemas,
  type MessageType,
  type SegmentMessage,
} from '@attune/contracts';
import { parseIsoTimestamp } from '@attune/engine';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { ok, reject, type StepOutcome } from './step-outcome.js';

const checkers = Object.fromEntries(
  Object.entries(messageSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
) as { [K in MessageType]: ReturnType<typeof TypeCompiler.Compile<(typeof messageSchemas)[K]>> };

export interface ValidMessage {
  message: SegmentMessage;
  userId: string | null;
  anonymousId: string | null;
  /** Client times, epoch ms. */
  originalTimestamp: number | null;
  sentAt: number | null;
  /** The endpoint set or changed `type`: the message differs from what the client sent. */
  typeImplied: boolean;
}

/**
 * Step 4: one message against the Segment Spec. `pointer` is where the message sits in the
 * request body (`/batch/3`), so every rejection names the exact field.
 */
export function validateMessage(
  item: unknown,
  pointer: string,
  impliedType: MessageType | null,
): StepOutcome<ValidMessage> {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return reject('invalid_message', 'Each message must be a JSON object', pointer);
  }
  let candidate = item as Record<string, unknown>;
  let typeImplied = false;
  // Single-message endpoints imply the type, as in Segment; a batch item must state it.
  if (impliedType !== null) {
    if (candidate['type'] !== impliedType) {
      candidate = { ...candidate, type: impliedType };
      typeImplied = true;
    }
  } else if (candidate['type'] === undefined) {
    return reject('missing_field', 'Every batch message needs a `type`', `${pointer}/type`);
  } else if (!isMessageType(candidate['type'])) {
    return reject(
      'unknown_message_type',
      `Unknown message type ${describeValue(candidate['type'])}; expected track, identify, page, screen, group or alias`,
      `${pointer}/type`,
    );
  }
  const type = candidate['type'] as MessageType;
  const checker = checkers[type];
  if (!checker.Check(candidate)) {
    const error = checker.Errors(candidate).First();
    const path = error?.path ?? '';
    const missing = error?.type === ValueErrorType.ObjectRequiredProperty;
    return reject(
      missing ? 'missing_field' : 'invalid_field',
      missing
        ? `A ${type} message needs \`${path.slice(1)}\``
        : `\`${path.slice(1)}\` is invalid: ${error?.message ?? 'unexpected value'}`,
      `${pointer}${path}`,
    );
  }
  const userId = idText(candidate['userId']);
  const anonymousId = idText(candidate['anonymousId']);
  if (userId === null && anonymousId === null) {
    return reject(
      'missing_identity',
      'A message needs a non-empty `userId` or `anonymousId`',
      `${pointer}/userId`,
    );
  }
  const times: Partial<Record<'timestamp' | 'originalTimestamp' | 'sentAt', number>> = {};
  for (const field of ['timestamp', 'originalTimestamp', 'sentAt'] as const) {
    const text = candidate[field];
    if (typeof text !== 'string') continue;
    const parsed = parseIsoTimestamp(text);
    if (parsed === null) {
      return reject(
        'invalid_timestamp',
        `\`${field}\` must be an ISO-8601 date-time such as 2026-11-23T10:15:30.000Z; got ${JSON.stringify(text.slice(0, 64))}`,
        `${pointer}/${field}`,
      );
    }
    times[field] = parsed;
  }
  return ok({
    message: candidate,
    userId,
    anonymousId,
    originalTimestamp: times.timestamp ?? times.originalTimestamp ?? null,
    sentAt: times.sentAt ?? null,
    typeImplied,
  });
}

/** Ids may arrive as strings or numbers; null and empty mean absent. */
function idText(value: unknown): string | null {
  if (typeof value === 'string') return value.length > 0 ? value : null;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * A sent value for a detail: short, and never serialized whole (a `type` may be a huge
 * string or arrays nested past what JSON.stringify can take).
 */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 64));
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  return 'an object';
}
