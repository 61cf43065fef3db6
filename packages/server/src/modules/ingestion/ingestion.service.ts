import type { MessageType, RejectedMessage } from '@attune/contracts';
import type { Clock } from '../../platform/clock.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { WriteAuth } from '../access/api-keys.service.js';
import type { EventLog, NewEvent } from '../event-log/event-log.store.js';
import { extractWriteKey } from './steps/extract-write-key.js';
import {
  normalizeMessage,
  type NormalizeContext,
  type PendingEvent,
} from './steps/normalize-message.js';
import { parseBody } from './steps/parse-body.js';
import { splitRequest } from './steps/split-request.js';
import { reject, type Rejection, type StepOutcome } from './steps/step-outcome.js';
import { validateMessage } from './steps/validate-message.js';

/**
 * A step between normalization and storage: the consent gate, PII protection and
 * tracking-plan validation slot in here, in order. A step that changes `message` must set
 * `messageStale`.
 */
export type MessageStep = (event: PendingEvent) => StepOutcome<PendingEvent>;

export interface IngestMetrics {
  accepted(sourceId: string, count: number): void;
  duplicates(sourceId: string, count: number): void;
  rejected(code: string): void;
  dropped(reason: string): void;
  batchSize(count: number): void;
}

export interface IngestRequest {
  endpoint: MessageType | 'batch';
  rawBody: string;
  authorization: string | undefined;
}

export type IngestResult =
  | { kind: 'refused'; rejection: Rejection }
  | {
      kind: 'done';
      accepted: number;
      duplicates: number;
      dropped: number;
      rejected: RejectedMessage[];
    };

export interface IngestionDeps {
  log: Pick<EventLog, 'append'>;
  authenticate(writeKey: string): Promise<WriteAuth>;
  clock: Clock;
  ids: IdGenerator;
  metrics: IngestMetrics;
  messageSteps: MessageStep[];
}

/** The write path: parse → authenticate → split → validate → normalize → steps → append. */
export class IngestionService {
  constructor(private readonly deps: IngestionDeps) {}

  async ingest(request: IngestRequest): Promise<IngestResult> {
    const { deps } = this;
    const receivedAt = deps.clock.now();
    const parsed = parseBody(request.rawBody);
    if (parsed.kind !== 'ok') return this.refuse(parsed as Rejection);

    const writeKey = extractWriteKey(request.authorization, parsed.value);
    if (writeKey === undefined) {
      return this.refuse(
        reject(
          'missing_write_key',
          'Send the source write key as the HTTP Basic user name (empty password) or as `writeKey` in the body',
        ),
      );
    }
    const auth = await deps.authenticate(writeKey);
    if (!auth.ok) return this.refuse(reject(auth.code, auth.detail));

    const split = splitRequest(parsed.value, request.rawBody, request.endpoint);
    if (split.kind !== 'ok') return this.refuse(split as Rejection);
    const { items, pointerPrefix, impliedType, defaults, sentAt, itemText } = split.value;
    deps.metrics.batchSize(items.length);

    const context = {
      sourceId: auth.sourceId,
      receivedAt,
      batchSentAt: sentAt,
      defaults,
      newMessageId: () => deps.ids.next(),
    };
    const ready: NewEvent[] = [];
    const rejected: RejectedMessage[] = [];
    let dropped = 0;
    for (let index = 0; index < items.length; index++) {
      const pointer = `${pointerPrefix}${pointerPrefix === '' ? '' : index}`;
      const outcome = this.prepare(items[index], itemText(index), pointer, impliedType, context);
      if (outcome.kind === 'ok') {
        ready.push(outcome.value);
      } else if (outcome.kind === 'drop') {
        dropped++;
        deps.metrics.dropped(outcome.reason);
      } else {
        deps.metrics.rejected(outcome.code);
        rejected.push({
          index,
          code: outcome.code,
          detail: outcome.detail,
          ...(outcome.field === undefined ? {} : { field: outcome.field }),
        });
      }
    }

    const { offsets } = await deps.log.append(ready);
    const duplicates = offsets.reduce((n: number, o) => (o === null ? n + 1 : n), 0);
    deps.metrics.accepted(auth.sourceId, ready.length - duplicates);
    if (duplicates > 0) deps.metrics.duplicates(auth.sourceId, duplicates);
    return { kind: 'done', accepted: ready.length, duplicates, dropped, rejected };
  }

  private prepare(
    item: unknown,
    sentText: string | null,
    pointer: string,
    impliedType: MessageType | null,
    context: NormalizeContext,
  ): StepOutcome<NewEvent> {
    const valid = validateMessage(item, pointer, impliedType);
    if (valid.kind !== 'ok') return valid;
    let pending = normalizeMessage(valid.value, sentText, pointer, context);
    for (const step of this.deps.messageSteps) {
      if (pending.kind !== 'ok') break;
      pending = step(pending.value);
    }
    if (pending.kind !== 'ok') return pending;
    const { event, message, messageStale } = pending.value;
    if (messageStale) event.message = JSON.stringify(message);
    return { kind: 'ok', value: event };
  }

  private refuse(rejection: Rejection): IngestResult {
    this.deps.metrics.rejected(rejection.code);
    return { kind: 'refused', rejection };
  }
}
