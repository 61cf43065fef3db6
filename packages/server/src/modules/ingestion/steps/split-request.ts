import { ingestLimits, type MessageType } from '@attune/contracts';
import { findBatchItemSpans, parseIsoTimestamp, type BatchDefaults } from '@attune/engine';
import { ok, reject, type StepOutcome } from './step-outcome.js';

export interface IngestItems {
  /** The raw messages, not yet validated. */
  items: unknown[];
  /** JSON pointer prefix of item i is `${pointerPrefix}${i}`, or '' for a single message. */
  pointerPrefix: string;
  /** The message type the endpoint implies (single-message endpoints). */
  impliedType: MessageType | null;
  defaults: BatchDefaults;
  /** Batch-level sentAt (epoch ms), used when a message has none. */
  sentAt: number | null;
  /**
   * Item i's exact text in the body, when it can be stored as sent (no batch defaults to
   * merge in); null otherwise, and the item is serialized again.
   */
  itemText: (index: number) => string | null;
}

const noText = (): null => null;

/** Step 3: one request into its messages, checking the batch envelope. */
export function splitRequest(
  body: unknown,
  raw: string,
  endpoint: MessageType | 'batch',
): StepOutcome<IngestItems> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return reject('invalid_message', 'The request body must be a JSON object', '');
  }
  const envelope = body as Record<string, unknown>;
  if (endpoint !== 'batch') {
    const text = raw.trim();
    return ok({
      items: [body],
      pointerPrefix: '',
      impliedType: endpoint,
      defaults: {},
      sentAt: null,
      itemText: () => text,
    });
  }
  const batch = envelope['batch'];
  if (!Array.isArray(batch)) {
    return reject('invalid_batch', '`batch` must be an array of messages', '/batch');
  }
  if (batch.length > ingestLimits.maxBatchMessages) {
    return reject(
      'batch_too_many_messages',
      `A batch may hold at most ${ingestLimits.maxBatchMessages} messages; this one holds ${batch.length}`,
      '/batch',
    );
  }
  for (const key of ['context', 'integrations'] as const) {
    const value = envelope[key];
    if (
      value !== undefined &&
      (typeof value !== 'object' || value === null || Array.isArray(value))
    ) {
      return reject('invalid_field', `\`${key}\` must be an object`, `/${key}`);
    }
  }
  const sentAtText = envelope['sentAt'];
  let sentAt: number | null = null;
  if (sentAtText !== undefined && sentAtText !== null) {
    sentAt = typeof sentAtText === 'string' ? parseIsoTimestamp(sentAtText) : null;
    if (sentAt === null) {
      return reject('invalid_timestamp', '`sentAt` must be an ISO-8601 date-time', '/sentAt');
    }
  }
  const defaults: BatchDefaults = {
    context: envelope['context'] as Record<string, unknown> | undefined,
    integrations: envelope['integrations'] as Record<string, unknown> | undefined,
  };
  const spans =
    defaults.context === undefined && defaults.integrations === undefined
      ? findBatchItemSpans(raw)
      : null;
  const itemText =
    spans !== null && spans.length === batch.length * 2
      ? (index: number) => raw.slice(spans[2 * index], spans[2 * index + 1])
      : noText;
  return ok({
    items: batch,
    pointerPrefix: '/batch/',
    impliedType: null,
    defaults,
    sentAt,
    itemText,
  });
}
