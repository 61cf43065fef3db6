import type { Worker } from 'node:worker_threads';
import { spawnThread } from '../../platform/spawn-thread.js';
import type { HourFieldRow, HourOutcomeRow } from '../../modules/quality/quality.store.js';
import type { WriterReply, WriterRequest, WriterSettings } from './log-writer.protocol.js';

/** Raised when the log cannot take writes (worker crashed, disk error). Maps to 503. */
export class StorageUnavailableError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'StorageUnavailableError';
  }
}

interface Pending {
  /** Offsets of an append; none for counts. */
  resolve(offsets: Float64Array): void;
  reject(error: Error): void;
}

/** The main-thread side of the log writer thread. */
export class LogWriterClient {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;
  /** False while the writer thread is down (crashed and being replaced). */
  private available = false;
  private ready!: Promise<void>;
  private lastCommit = 0;
  /** Transactions committed by the writer (each may hold many requests). */
  commits = 0;
  /** messageIds the writer loaded into its dedup index when it started, and how long it took. */
  dedupIndexed = 0;
  dedupIndexMillis = 0;

  private constructor(private readonly settings: WriterSettings) {}

  static async start(settings: WriterSettings): Promise<LogWriterClient> {
    const client = new LogWriterClient(settings);
    client.spawn();
    await client.ready;
    return client;
  }

  /** Why the log cannot take writes right now, or null when it can. */
  get unavailableReason(): string | null {
    return this.available ? null : 'the log writer is restarting';
  }

  append(rows: unknown[]): Promise<Float64Array> {
    if (!this.available)
      return Promise.reject(new StorageUnavailableError('the log writer is restarting'));
    const id = this.nextId++;
    return new Promise<Float64Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ kind: 'append', id, rows });
    });
  }

  /**
   * Adds quality counts in the writer's next transaction (with the appends waiting then),
   * so the calling thread never waits for the database's write lock.
   */
  addQualityCounts(outcomes: HourOutcomeRow[], fields: HourFieldRow[]): Promise<void> {
    if (!this.available)
      return Promise.reject(new StorageUnavailableError('the log writer is restarting'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve: () => resolve(), reject });
      this.send({ kind: 'counts', id, outcomes, fields });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.send({ kind: 'close' });
    await exited;
  }

  private send(request: WriterRequest): void {
    this.worker.postMessage(request);
  }

  private spawn(): void {
    const worker = spawnThread('./log-writer.worker', import.meta.url, this.settings);
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onReply = (reply: WriterReply): void => {
        if (reply.kind === 'ready') {
          this.dedupIndexed = reply.indexed;
          this.dedupIndexMillis = reply.indexMillis;
          this.available = true;
          resolve();
        } else this.settle(reply);
      };
      worker.on('message', onReply);
      worker.once('error', (error) => {
        this.available = false;
        reject(error);
        this.failAll(`log writer failed: ${error.message}`);
      });
      worker.once('exit', (code) => {
        this.available = false;
        this.failAll(`log writer exited with code ${code}`);
        // A crashed writer is replaced; requests in flight were rejected and will be retried by
        // clients (a 503 tells SDKs to retry), and dedup makes retries safe.
        if (!this.closing) setTimeout(() => this.spawn(), 100).unref();
      });
    });
    this.ready.catch(() => undefined);
  }

  private settle(reply: WriterReply): void {
    if (reply.kind !== 'appended' && reply.kind !== 'counted' && reply.kind !== 'failed') return;
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (reply.kind === 'counted') waiter.resolve(new Float64Array(0));
    else if (reply.kind === 'appended') {
      if (reply.commit !== this.lastCommit) {
        this.lastCommit = reply.commit;
        this.commits++;
      }
      waiter.resolve(reply.offsets);
    } else waiter.reject(new StorageUnavailableError(reply.error));
  }

  private failAll(detail: string): void {
    for (const waiter of this.pending.values()) waiter.reject(new StorageUnavailableError(detail));
    this.pending.clear();
  }
}
