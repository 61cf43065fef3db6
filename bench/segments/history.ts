/**
 * Event history for the segments benchmark, made by the ingest benchmark's generator (the
 * same shop, ~100k users, 100 messages per request) but spread over the past weeks: each
 * request's messages are stamped around its own instant and sent without `sentAt`, so
 * Attune keeps the client timestamps and windows such as "in the last 7 days" select
 * part of the history.
 *
 * Every body's messageId slots get a request number from one counter shared with the rest
 * of the run, so no messageId is ever sent twice.
 */
import { BatchGenerator, messagesPerBatch, slotMarker, slotWidth } from '../ingest/payloads.js';
import { authorization } from './server.js';

const dayMs = 86_400_000;

export class History {
  private readonly generator: BatchGenerator;

  constructor(
    seed: number,
    /** The next unused request number. */
    public nextRequest = 1,
  ) {
    this.generator = new BatchGenerator(seed);
  }

  /** A body whose messages are timestamped within 20 s before `at`, without `sentAt`. */
  pastBody(at: Date): string {
    return this.stamp(this.generator.batch(at).replace(/,"sentAt":"[^"]*"\}$/, '}'));
  }

  /** A body of live events (with `sentAt`: Attune stamps them at their arrival). */
  liveBody(): string {
    return this.stamp(this.generator.batch(new Date()));
  }

  private stamp(body: string): string {
    const n = this.nextRequest++;
    return body.replaceAll(slotMarker, n.toString(16).padStart(slotWidth, '0'));
  }
}

export interface LoadedHistory {
  events: number;
  requests: number;
  seconds: number;
  spanDays: number;
}

/**
 * POSTs `events` events (rounded up to whole requests) of history spread evenly over the
 * `spanDays` days before now, oldest first, `concurrency` requests at a time.
 */
export async function loadHistory(
  history: History,
  url: string,
  events: number,
  spanDays: number,
  onProgress: (sentEvents: number) => void = () => {},
  concurrency = 6,
): Promise<LoadedHistory> {
  const requests = Math.ceil(events / messagesPerBatch);
  const end = Date.now() - 60_000;
  const step = (spanDays * dayMs) / requests;
  const started = performance.now();
  let next = 0;
  let done = 0;
  const headers = { 'content-type': 'application/json', authorization };
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next++;
      const body = history.pastBody(new Date(end - (requests - i) * step));
      const response = await fetch(`${url}/v1/batch`, { method: 'POST', headers, body });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(`history: POST /v1/batch answered ${response.status}: ${text}`);
      }
      done++;
      if (done % 500 === 0) onProgress(done * messagesPerBatch);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    events: requests * messagesPerBatch,
    requests,
    seconds: (performance.now() - started) / 1000,
    spanDays,
  };
}
