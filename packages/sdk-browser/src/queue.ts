import { backoffDelay } from './backoff.js';
import type { Env } from './env.js';
import { chunk, type Message, type SendOutcome } from './transport.js';

export interface QueueOptions {
  /** Send at once when this many messages wait. */
  flushAt: number;
  /** Otherwise send this long (ms) after the first waiting message. */
  flushInterval: number;
  /** Most messages kept while sending fails; the oldest go first. */
  maxQueued: number;
  /** First retry delay and its cap (ms), doubling between. */
  retryBase: number;
  retryMax: number;
}

export interface QueueDeps {
  env: Env;
  /** The localStorage key that holds the waiting messages. */
  key: string;
  send(batch: Message[]): Promise<SendOutcome>;
  /** Hand a batch to the browser for sending after the page is gone (sendBeacon). */
  beacon(batch: Message[]): boolean;
  /** Messages that left the queue: delivered, or dropped (refused, or over the cap). */
  settled(messageIds: string[], delivered: boolean): void;
}

/** Well under the server's 500 KB per batch. */
const maxBatchBytes = 450_000;
/** sendBeacon bodies share a 64 KB budget per page. */
const maxBeaconBytes = 60_000;

/**
 * The messages waiting to be sent. localStorage holds the only copy, read and written
 * around every change, so a reload, a crash or going offline loses nothing, and tabs of
 * the same site append to one queue instead of overwriting each other's.
 *
 * Delivery is at least once: a batch leaves the queue only when the server acknowledged
 * it, so a batch whose answer was lost, a batch two tabs both sent, and a batch handed to
 * sendBeacon as the page was hidden (the browser never says whether a beacon arrived) may
 * be sent again. The server stores each messageId once (its dedup window), so the copies
 * cost bandwidth, never double counts.
 */
export class Queue {
  private timer: unknown = null;
  private retrying = false;
  private flushing: Promise<void> | null = null;
  private attempt = 0;
  private readonly beaconed = new Set<string>();

  constructor(
    private readonly deps: QueueDeps,
    private readonly options: QueueOptions,
  ) {}

  read(): Message[] {
    try {
      const list: unknown = JSON.parse(this.deps.env.storage.get(this.deps.key) ?? '[]');
      return Array.isArray(list) ? (list as Message[]) : [];
    } catch {
      return [];
    }
  }

  private write(list: Message[]): void {
    if (list.length === 0) this.deps.env.storage.remove(this.deps.key);
    else this.deps.env.storage.set(this.deps.key, JSON.stringify(list));
  }

  push(message: Message): void {
    const list = this.read();
    list.push(message);
    const excess = list.length - this.options.maxQueued;
    if (excess > 0) {
      const dropped = list.splice(0, excess);
      this.deps.env.warn(`queue full (${this.options.maxQueued}): dropped the oldest ${excess}`);
      this.deps.settled(
        dropped.map((m) => m.messageId),
        false,
      );
    }
    this.write(list);
    if (this.retrying) return; // the retry takes it along
    if (list.length >= this.options.flushAt) void this.flush();
    else if (this.timer === null) this.schedule(this.options.flushInterval, false);
  }

  /** Send everything now (cancelling a pending retry wait); resolves when the queue is
   * empty or an attempt failed. */
  flush(): Promise<void> {
    this.cancelTimer();
    this.flushing ??= this.drain().finally(() => (this.flushing = null));
    return this.flushing;
  }

  /** The network is back: a waiting retry goes now. */
  retryNow(): void {
    if (this.retrying) void this.flush();
  }

  /** The page is being hidden or left: hand what waits to sendBeacon, keeping it queued.
   * Leaving fires both visibilitychange and pagehide; a message goes by beacon once. */
  pageHidden(): void {
    const fresh = this.read().filter((m) => !this.beaconed.has(m.messageId));
    for (const batch of chunk(fresh, maxBeaconBytes)) {
      if (!this.deps.beacon(batch)) break;
      for (const m of batch) this.beaconed.add(m.messageId);
    }
  }

  private schedule(ms: number, retry: boolean): void {
    this.cancelTimer();
    this.retrying = retry;
    this.timer = this.deps.env.setTimer(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.deps.env.clearTimer(this.timer);
    this.timer = null;
    this.retrying = false;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const waiting = this.read();
      if (waiting.length === 0) return;
      const batch = chunk(waiting.slice(0, 500), maxBatchBytes)[0]!;
      const outcome = await this.deps.send(batch);
      if (outcome.kind === 'retry') {
        const { env } = this.deps;
        const delay =
          outcome.afterMs ??
          backoffDelay(this.attempt, env.random, this.options.retryBase, this.options.retryMax);
        this.attempt++;
        this.schedule(delay, true);
        return;
      }
      this.attempt = 0;
      if (outcome.kind === 'drop')
        this.deps.env.warn(`batch refused (${outcome.status} ${outcome.detail}), dropped`);
      const ids = new Set(batch.map((m) => m.messageId));
      this.write(this.read().filter((m) => !ids.has(m.messageId)));
      this.deps.settled([...ids], outcome.kind === 'sent');
    }
  }
}
