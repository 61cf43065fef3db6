/** What an ingest or import came to, and the refusals and tallies they share. */
import {
  isMessageType,
  type MessageType,
  type RejectedLine,
  type RejectedMessage,
} from '@attune/contracts';
import type { TallyKey } from './ingest-tally.js';
import type { NormalizeContext } from './steps/normalize-message.js';
import { reject, type Rejection } from './steps/step-outcome.js';

/** A request refused as a whole (its key, its rate, its body). */
export interface Refused {
  kind: 'refused';
  rejection: Rejection;
}

/** What became of a request's messages; `accepted` is told per result type below. */
interface Done<R> {
  kind: 'done';
  accepted: number;
  duplicates: number;
  dropped: number;
  rejected: R[];
}

/** `accepted`: stored or acknowledged as duplicates. */
export type IngestResult = Refused | Done<RejectedMessage>;

/** `accepted`: stored by this request (duplicates not included); `rejected` in line order. */
export type ImportResult = Refused | Done<RejectedLine>;

/** What became of the messages of one append. */
export interface Processed {
  stored: number;
  duplicates: number;
  dropped: number;
  rejected: RejectedMessage[];
}

export function ingested(done: Processed): IngestResult {
  return {
    kind: 'done',
    accepted: done.stored + done.duplicates,
    duplicates: done.duplicates,
    dropped: done.dropped,
    rejected: done.rejected,
  };
}

export function throttled(seconds: number): Rejection {
  return {
    ...reject(
      'rate_limited',
      `This write key has used its request allowance; retry in ${seconds} s`,
    ),
    retryAfterSeconds: seconds,
  };
}

export const missingKey = reject(
  'missing_write_key',
  'Send the source write key as the HTTP Basic user name (empty password) or as `writeKey` in the body',
);

export const missingImportKey = reject(
  'missing_write_key',
  'Send the source write key as the HTTP Basic user name (empty password) or as a Bearer token',
);

/** What can be told of a message that was not prepared: its type and name, if readable. */
export function rawKey(
  item: unknown,
  impliedType: MessageType | null,
  ctx: NormalizeContext,
): TallyKey {
  const key = { receivedAt: ctx.receivedAt, sourceId: ctx.sourceId, type: '', event: '' };
  if (typeof item !== 'object' || item === null) return key;
  const fields = item as Record<string, unknown>;
  const type = impliedType ?? fields['type'];
  if (!isMessageType(type)) return key;
  const name = type === 'track' ? fields['event'] : fields['name'];
  const named = type === 'track' || type === 'page' || type === 'screen';
  return { ...key, type, event: named && typeof name === 'string' ? name : '' };
}
