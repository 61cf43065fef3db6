import { setImmediate as yieldTurn } from 'node:timers/promises';
import { type MessageType, type RejectedLine, type RejectedMessage } from '@attune/contracts';
import type { Clock } from '../../platform/clock.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { WriteAuth } from '../access/api-keys.service.js';
import type { EventLog, NewEvent } from '../event-log/event-log.store.js';
import {
  unknownSourceId,
  type Assessment,
  type IngestTally,
  type TallyKey,
} from './ingest-tally.js';
import { extractWriteKey } from './steps/extract-write-key.js';
import {
  isStackOverflow,
  normalizeMessage,
  serializeMessage,
  sizeRejection,
  tooDeep,
  type NormalizeContext,
  type PendingEvent,
} from './steps/normalize-message.js';
import { parseBody } from './steps/parse-body.js';
import { splitJsonLines } from './steps/split-lines.js';
import { splitRequest } from './steps/split-request.js';
import { reject, type Rejection, type StepOutcome } from './steps/step-outcome.js';
import { validateMessage } from './steps/validate-message.js';
import {
  ingested,
  missingImportKey,
  missingKey,
  rawKey,
  throttled,
  type ImportResult,
  type IngestResult,
  type Processed,
  type Refused,
} from './ingest-outcomes.js';

export type { ImportResult, IngestResult } from './ingest-outcomes.js';

/**
 * Messages prepared in one turn of the event loop before others get theirs. At 64, one
 * turn of a batch of logged decisions (300 every 100 ms at 1,000 decides/s) held the
 * request thread for 1–2 ms; 16 keeps turns well under a millisecond.
 */
const itemsPerTurn = 16;

/**
 * A step between normalization and storage: the consent gate, PII protection and
 * tracking-plan validation slot in here, in order. `pointer` is where the message sits in
 * the request (`/batch/3`), for rejections. A step that changes `message` must set
 * `messageStale`.
 */
export type MessageStep = (
  event: PendingEvent,
  pointer: string,
  /** Absent in unit tests of steps that do not use it. */
  request?: StepRequest,
) => StepOutcome<PendingEvent>;

/** What steps may know of the request a message came in. */
export interface StepRequest {
  /** The request carried `Sec-GPC: 1` (Global Privacy Control: do not sell or share). */
  gpc: boolean;
  /** POST /v1/import (a batch or JSONL), not live tracking. */
  imported: boolean;
}

export interface IngestMetrics {
  accepted(sourceId: string, count: number): void;
  duplicates(sourceId: string, count: number): void;
  flagged(sourceId: string, count: number): void;
  rejected(code: string): void;
  dropped(reason: string): void;
  batchSize(count: number): void;
}

export interface IngestRequest {
  endpoint: MessageType | 'batch';
  rawBody: string;
  authorization: string | undefined;
  /** `Sec-GPC: 1` was sent. */
  gpc?: boolean;
  /** Arrived on POST /v1/import. */
  imported?: boolean;
}

export interface ImportRequest {
  /** JSONL: one Segment message per line. */
  rawBody: string;
  authorization: string | undefined;
  /** `Sec-GPC: 1` was sent. */
  gpc?: boolean;
}

export interface IngestionDeps {
  log: Pick<EventLog, 'append'>;
  authenticate(writeKey: string): Promise<WriteAuth>;
  /** Rate limit per write key: 0 to go ahead, else seconds to wait. Absent: no limit. */
  admit?(keyId: string): number;
  clock: Clock;
  ids: IdGenerator;
  metrics: IngestMetrics;
  tally: IngestTally;
  messageSteps: MessageStep[];
  /** Messages per append when importing JSONL. */
  importChunkSize?: number;
}

interface Prepared {
  event: NewEvent;
  assessment: Assessment | undefined;
}

/** The write path: parse → authenticate → split → validate → normalize → steps → append. */
export class IngestionService {
  constructor(private readonly deps: IngestionDeps) {}

  async ingest(request: IngestRequest): Promise<IngestResult> {
    const { deps } = this;
    const receivedAt = deps.clock.now();
    const implied = request.endpoint === 'batch' ? '' : request.endpoint;
    const parsed = parseBody(request.rawBody);
    if (parsed.kind !== 'ok') return this.refuse(parsed as Rejection, receivedAt, null, implied);

    const writeKey = extractWriteKey(request.authorization, parsed.value);
    if (writeKey === undefined) return this.refuse(missingKey, receivedAt, null, implied);
    const auth = await this.authorize(writeKey, receivedAt, implied);
    if (auth.kind === 'refused') return auth;

    const split = splitRequest(parsed.value, request.rawBody, request.endpoint);
    if (split.kind !== 'ok')
      return this.refuse(split as Rejection, receivedAt, auth.sourceId, implied);
    const { items, pointerPrefix, impliedType, defaults, sentAt, itemText } = split.value;
    deps.metrics.batchSize(items.length);

    const done = await this.process(
      items,
      itemText,
      (index) => `${pointerPrefix}${pointerPrefix === '' ? '' : index}`,
      impliedType,
      this.context(auth.sourceId, receivedAt, sentAt, defaults),
      { gpc: request.gpc ?? false, imported: request.imported ?? false },
    );
    return ingested(done);
  }

  /**
   * A JSONL upload: every line through the same validation, normalization, steps and dedup
   * as ingest, appended in chunks (each chunk is durable when its append returns).
   */
  async importLines(request: ImportRequest): Promise<ImportResult> {
    const { deps } = this;
    const receivedAt = deps.clock.now();
    const writeKey = extractWriteKey(request.authorization, undefined);
    if (writeKey === undefined) return this.refuse(missingImportKey, receivedAt, null, '');
    const auth = await this.authorize(writeKey, receivedAt, '');
    if (auth.kind === 'refused') return auth;

    const context = this.context(auth.sourceId, receivedAt, null, {});
    const signals: StepRequest = { gpc: request.gpc ?? false, imported: true };
    const result = { accepted: 0, duplicates: 0, dropped: 0, rejected: [] as RejectedLine[] };
    for (const chunk of splitJsonLines(
      request.rawBody,
      auth.sourceId,
      deps.importChunkSize ?? 2500,
    )) {
      for (const bad of chunk.rejected) {
        deps.metrics.rejected(bad.code);
        deps.tally.count(
          { receivedAt, sourceId: auth.sourceId, type: '', event: '' },
          'rejected',
          bad.code,
        );
      }
      deps.metrics.batchSize(chunk.items.length);
      const done = await this.process(
        chunk.items,
        (index) => chunk.texts[index] ?? null,
        (index) => `/line/${chunk.lines[index]}`,
        null,
        context,
        signals,
      );
      result.accepted += done.stored;
      result.duplicates += done.duplicates;
      result.dropped += done.dropped;
      const rejected: RejectedLine[] = [...chunk.rejected];
      for (const { index, ...why } of done.rejected)
        rejected.push({ line: chunk.lines[index] as number, ...why });
      result.rejected.push(...rejected.sort((a, b) => a.line - b.line));
    }
    return { kind: 'done', ...result };
  }

  /**
   * Messages Attune builds itself for a source (the decisions it served): the same checks,
   * steps (consent, PII protection…) and append as `ingest`, without a body to parse.
   */
  async ingestMessages(writeKey: string, messages: readonly object[]): Promise<IngestResult> {
    const receivedAt = this.deps.clock.now();
    const auth = await this.authorize(writeKey, receivedAt, '');
    if (auth.kind === 'refused') return auth;
    this.deps.metrics.batchSize(messages.length);
    const done = await this.process(
      messages,
      () => null,
      (index) => `/batch/${index}`,
      null,
      { ...this.context(auth.sourceId, receivedAt, null, {}), serializeAfterSteps: true },
      { gpc: false, imported: false },
    );
    return ingested(done);
  }

  /** The write key's source, if the key is valid and within its rate limit. */
  private async authorize(
    writeKey: string,
    receivedAt: number,
    type: string,
  ): Promise<Refused | { kind: 'ok'; sourceId: string }> {
    const auth = await this.deps.authenticate(writeKey);
    if (!auth.ok) return this.refuse(reject(auth.code, auth.detail), receivedAt, null, type);
    const wait = this.deps.admit?.(auth.keyId) ?? 0;
    if (wait > 0) return this.refuse(throttled(wait), receivedAt, auth.sourceId, type);
    return { kind: 'ok', sourceId: auth.sourceId };
  }

  private context(
    sourceId: string,
    receivedAt: number,
    batchSentAt: number | null,
    defaults: NormalizeContext['defaults'],
  ): NormalizeContext {
    return {
      sourceId,
      receivedAt,
      batchSentAt,
      defaults,
      newMessageId: () => this.deps.ids.next(),
    };
  }

  /** Prepares every item, appends the good ones and counts what became of each. */
  private async process(
    items: readonly unknown[],
    itemText: (index: number) => string | null,
    pointerOf: (index: number) => string,
    impliedType: MessageType | null,
    context: NormalizeContext,
    request: StepRequest,
  ): Promise<Processed> {
    const { metrics, tally } = this.deps;
    const ready: NewEvent[] = [];
    const assessments: (Assessment | undefined)[] = [];
    const rejected: RejectedMessage[] = [];
    let dropped = 0;
    for (let index = 0; index < items.length; index++) {
      // A big batch takes milliseconds to prepare: let other requests in between.
      if (index > 0 && index % itemsPerTurn === 0) await yieldTurn();
      const item = items[index];
      const outcome = this.prepare(
        item,
        itemText(index),
        pointerOf(index),
        impliedType,
        context,
        request,
      );
      if (outcome.kind === 'ok') {
        ready.push(outcome.value.event);
        assessments.push(outcome.value.assessment);
        continue;
      }
      const key = rawKey(item, impliedType, context);
      if (outcome.kind === 'drop') {
        dropped++;
        metrics.dropped(outcome.reason);
        tally.count(key, 'dropped', outcome.reason);
      } else {
        metrics.rejected(outcome.code);
        tally.count(key, 'rejected', outcome.code);
        if (outcome.issues !== undefined) tally.fieldIssues(key, outcome.issues);
        rejected.push({
          index,
          code: outcome.code,
          detail: outcome.detail,
          ...(outcome.field === undefined ? {} : { field: outcome.field }),
        });
      }
    }

    const { offsets } = await this.deps.log.append(ready);
    let duplicates = 0;
    let flagged = 0;
    for (let i = 0; i < ready.length; i++) {
      const event = ready[i] as NewEvent;
      const key: TallyKey = {
        receivedAt: event.receivedAt,
        sourceId: event.sourceId,
        type: event.type,
        event: event.event ?? '',
      };
      if (offsets[i] === null) {
        duplicates++;
        tally.count(key, 'deduplicated', '');
        continue;
      }
      const assessment = assessments[i];
      if (assessment === undefined) {
        tally.count(key, 'accepted', '');
        continue;
      }
      tally.count(key, assessment.outcome, assessment.reason);
      if (assessment.issues.length > 0) tally.fieldIssues(key, assessment.issues);
      if (assessment.outcome === 'flagged') flagged++;
    }
    metrics.accepted(context.sourceId, ready.length - duplicates);
    if (duplicates > 0) metrics.duplicates(context.sourceId, duplicates);
    if (flagged > 0) metrics.flagged(context.sourceId, flagged);
    return { stored: ready.length - duplicates, duplicates, dropped, rejected };
  }

  private prepare(
    item: unknown,
    sentText: string | null,
    pointer: string,
    impliedType: MessageType | null,
    context: NormalizeContext,
    request: StepRequest,
  ): StepOutcome<Prepared> {
    try {
      const valid = validateMessage(item, pointer, impliedType);
      if (valid.kind !== 'ok') return valid;
      let pending = normalizeMessage(valid.value, sentText, pointer, context);
      for (const step of this.deps.messageSteps) {
        if (pending.kind !== 'ok') break;
        pending = step(pending.value, pointer, request);
      }
      if (pending.kind !== 'ok') return pending;
      const { event, message, messageStale, assessment } = pending.value;
      if (messageStale) {
        // '' until now: not serialized before the steps, so its size is checked here.
        const unmeasured = event.message === '';
        const json = serializeMessage(message);
        if (json === null) return tooDeep(pointer);
        const tooLarge = unmeasured ? sizeRejection(json, pointer) : null;
        if (tooLarge !== null) return tooLarge;
        event.message = json;
      }
      return { kind: 'ok', value: { event, assessment } };
    } catch (error) {
      // One message too deep for a step is that message's problem, not the batch's.
      if (isStackOverflow(error)) return tooDeep(pointer);
      throw error;
    }
  }

  /** A refused request counts once, under its source when known. */
  private refuse(
    rejection: Rejection,
    receivedAt: number,
    sourceId: string | null,
    type: string,
  ): Refused {
    this.deps.metrics.rejected(rejection.code);
    this.deps.tally.count(
      { receivedAt, sourceId: sourceId ?? unknownSourceId, type, event: '' },
      'rejected',
      rejection.code,
    );
    return { kind: 'refused', rejection };
  }
}
