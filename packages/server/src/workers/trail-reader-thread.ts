import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { TrailSpec } from '@attune/engine';
import type { ChunkReadAhead } from '../modules/segments/backfill-read-ahead.js';
import type { TrailHits } from '../modules/segments/trail-hits.js';
import type { PiiOptions } from '../modules/privacy/pii-cipher.js';
import type { KeyringSecrets } from '../platform/keyring.js';
import { spawnThread } from '../platform/spawn-thread.js';

export interface TrailReaderSettings {
  logFile: string;
  /** Profiles' timelines: which offsets a chunk of profiles has (as last committed). */
  stateFile: string;
  /** The keyring, as plain data: the log's properties may hold encrypted PII. */
  keyring: KeyringSecrets;
  pii: PiiOptions;
}

export type ToTrailReader =
  | { kind: 'read'; id: number; afterId: string; limit: number; specs: readonly TrailSpec[] }
  | { kind: 'stop' };

export type FromTrailReader =
  | { kind: 'read'; id: number; offsets: Float64Array; hits: TrailHits }
  | { kind: 'failed'; id: number; message: string };

/**
 * The processor's handle on its trail reader thread (trail-reader.worker.ts): a backfill
 * reads its next chunk's events there while the processor evaluates the current one, so
 * the reads use the second core instead of the processor's time.
 */
export class TrailReaderThread {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (read: ChunkReadAhead) => void; reject: (error: Error) => void }
  >();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromTrailReader) => {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.kind === 'read') waiter?.resolve(message);
      else waiter?.reject(new Error(message.message));
    });
    const fail = (error: Error): void => {
      this.failure = error;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('the trail reader thread has exited')));
    // Idle between backfills: it must not keep the process alive.
    worker.unref();
  }

  static start(settings: TrailReaderSettings): TrailReaderThread {
    return new TrailReaderThread(spawnThread('./trail-reader.worker', import.meta.url, settings));
  }

  /**
   * The offsets of the `limit` profiles after `afterId` (as last committed) and the hits of
   * their events for these specs (ReadChunkAhead); rejects once the thread failed.
   */
  readAhead(afterId: string, limit: number, specs: readonly TrailSpec[]): Promise<ChunkReadAhead> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'read', id, afterId, limit, specs } satisfies ToTrailReader);
    });
  }

  async stop(): Promise<void> {
    if (this.failure !== null) return;
    const exited = once(this.worker, 'exit');
    this.worker.postMessage({ kind: 'stop' } satisfies ToTrailReader);
    await exited;
  }
}
