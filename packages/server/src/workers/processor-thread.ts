import type { Worker } from 'node:worker_threads';
import { spawnThread } from '../platform/spawn-thread.js';
import type {
  FromProcessor,
  ProcessorThreadSettings,
  ToProcessor,
} from './processor-thread.protocol.js';

export interface ProcessorThreadLogger {
  error(details: object, message: string): void;
}

/** The request thread's handle on the processor thread. */
export class ProcessorThread {
  private committed = 0;
  private readonly waiters = new Set<{ offset: number; resolve: () => void }>();
  private stopping = false;
  private readonly committedListeners = new Set<(offset: number) => void>();

  private constructor(
    private readonly worker: Worker,
    readonly name: string,
  ) {}

  static async start(
    settings: ProcessorThreadSettings,
    logger: ProcessorThreadLogger,
  ): Promise<ProcessorThread> {
    const worker = spawnThread('./processor.worker', import.meta.url, settings);
    const thread = new ProcessorThread(worker, settings.name);
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromProcessor) => {
        switch (message.kind) {
          case 'ready':
            thread.advance(message.committed);
            resolve();
            break;
          case 'committed':
            thread.advance(message.offset);
            for (const listener of thread.committedListeners) listener(message.offset);
            break;
          case 'error':
            logger.error({ processor: settings.name, details: message.details }, message.message);
            break;
          default:
            break;
        }
      });
      worker.once('error', (error) => {
        logger.error({ err: error, processor: settings.name }, 'processor thread failed');
        reject(error);
      });
      worker.once('exit', (code) => {
        if (!thread.stopping)
          logger.error({ processor: settings.name, code }, 'processor thread exited');
      });
    });
    return thread;
  }

  get committedOffset(): number {
    return this.committed;
  }

  /** Called after each batch the processor commits. */
  onCommitted(listener: (offset: number) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Wakes the processor: new events are durable up to `lastOffset`. */
  notifyAppended(lastOffset: number): void {
    this.send({ kind: 'appended', lastOffset });
  }

  /** Resolves once everything up to `offset` has been processed. */
  caughtUp(offset: number): Promise<void> {
    if (this.committed >= offset) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ offset, resolve }));
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.send({ kind: 'stop' });
    await exited;
  }

  private send(message: ToProcessor): void {
    if (!this.stopping || message.kind === 'stop') this.worker.postMessage(message);
  }

  private advance(offset: number): void {
    this.committed = offset;
    for (const waiter of this.waiters) {
      if (offset >= waiter.offset) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
