import type { ServedDecision } from './decide.service.js';

/** The event each served decision is logged as. */
export const decisionServedEvent = 'Decision Served';

export interface ServedLogDeps {
  /**
   * Ingests messages as the source of `writeKey`: ingestion's checks, steps and append,
   * without a body to serialize and parse again.
   */
  ingest: (writeKey: string, messages: readonly object[]) => Promise<void>;
  onError: (error: unknown) => void;
  /** Most messages per batch. */
  maxBatch?: number;
  /**
   * How long decisions wait to share a batch (default 100 ms). Each batch is an append the
   * log writer and the processor wake up for; decisions are telemetry, and nothing waits
   * for them.
   */
  delayMs?: number;
}

/**
 * Logs served decisions as `Decision Served` events. Decisions of the same source are
 * gathered for a few milliseconds and ingested as one batch: one pass through ingestion
 * and one append per batch instead of per request. Decisions still waiting when the
 * process dies are lost; they are telemetry, and the answer never waited for them.
 */
export class ServedLog {
  private readonly pending = new Map<string, object[]>();
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: ServedLogDeps) {}

  add(decisions: readonly ServedDecision[], writeKey: string): void {
    let messages = this.pending.get(writeKey);
    if (messages === undefined) this.pending.set(writeKey, (messages = []));
    for (const s of decisions) messages.push(servedMessage(s));
    if (messages.length >= (this.deps.maxBatch ?? 400)) this.flushKey(writeKey);
    else this.timer ??= setTimeout(() => void this.flush(), this.deps.delayMs ?? 100);
  }

  /** Sends everything waiting; resolves when it is in the log. */
  async flush(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const writeKey of [...this.pending.keys()]) this.flushKey(writeKey);
    await Promise.all([...this.inFlight]);
  }

  private flushKey(writeKey: string): void {
    const messages = this.pending.get(writeKey);
    this.pending.delete(writeKey);
    if (messages === undefined || messages.length === 0) return;
    const sent = this.deps
      .ingest(writeKey, messages)
      .catch((error: unknown) => this.deps.onError(error))
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }
}

/** A `Decision Served` track message; its messageId is the decisionId (one per decision). */
function servedMessage(s: ServedDecision): Record<string, unknown> {
  const { decision } = s;
  return {
    type: 'track',
    event: decisionServedEvent,
    messageId: decision.decisionId,
    ...(s.userId === undefined ? {} : { userId: s.userId }),
    ...(s.anonymousId === undefined ? {} : { anonymousId: s.anonymousId }),
    timestamp: new Date(s.at).toISOString(),
    properties: {
      decisionId: decision.decisionId,
      placement: decision.placement,
      placementVersion: s.placementVersion,
      variantId: decision.variantId,
      ruleId: decision.ruleId,
      reason: decision.reason,
      fallback: decision.fallback,
    },
    context: s.context,
  };
}
