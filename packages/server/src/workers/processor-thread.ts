import type { Worker } from 'node:worker_threads';
import type { OutboxName } from '../modules/event-log/outbox-relay.js';
import type { ErasedSubject, Subject } from '../modules/privacy/subject.js';
import type { PrototypeKeys } from '../platform/prototype-keys.js';
import { spawnThread } from '../platform/spawn-thread.js';
import type {
  FromProcessor,
  ProcessorThreadSettings,
  ToProcessor,
} from './processor-thread.protocol.js';

/** See `ProcessorThread.onCommitted`. */
export type CommittedListener = (offset: number, changed: string[], updated: string[]) => void;

export interface ProcessorThreadLogger {
  error(details: object, message: string): void;
  warn?(details: object, message: string): void;
}

/** The request thread's handle on the processor thread. */
export class ProcessorThread {
  private committed = 0;
  private readonly waiters = new Set<{ offset: number; resolve: () => void }>();
  private stopping = false;
  private readonly committedListeners = new Set<CommittedListener>();
  /** Requests run between transactions (erase, prune), by id. */
  private readonly requests = new Map<
    number,
    { resolve: (result: never) => void; reject: (error: Error) => void }
  >();
  private nextRequest = 1;

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
            for (const listener of thread.committedListeners)
              listener(message.offset, message.changed, message.updated);
            break;
          case 'error':
            logger.error({ processor: settings.name, details: message.details }, message.message);
            break;
          case 'warn':
            logger.warn?.(message.details, message.message);
            break;
          case 'done':
            thread.requests.get(message.id)?.resolve(message.result as never);
            thread.requests.delete(message.id);
            break;
          case 'failed':
            thread.requests.get(message.id)?.reject(new Error(message.message));
            thread.requests.delete(message.id);
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
        for (const { reject: fail } of thread.requests.values())
          fail(new Error('the processor thread exited'));
        thread.requests.clear();
        if (!thread.stopping)
          logger.error({ processor: settings.name, code }, 'processor thread exited');
      });
    });
    return thread;
  }

  get committedOffset(): number {
    return this.committed;
  }

  /**
   * After each commit: its offset, the profiles whose memberships, stage or traits changed,
   * and the profiles otherwise updated (see ProfilesStep.takeUpdated).
   */
  onCommitted(listener: CommittedListener): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }

  /** Wakes the processor: new events are durable up to `lastOffset`. */
  notifyAppended(lastOffset: number): void {
    this.send({ kind: 'appended', lastOffset });
  }

  /** Records, between two transactions, that an outbox's records through `seq` are logged. */
  noteOutboxLogged(outbox: OutboxName, seq: number): void {
    this.send({ kind: 'outboxLogged', outbox, seq });
  }

  /**
   * Erases a data subject's log events and derived state on the processor thread, between
   * two of its transactions, and evicts its caches.
   */
  erase(subject: Subject): Promise<ErasedSubject> {
    return this.request<ErasedSubject>((id) => ({ kind: 'erase', id, subject }));
  }

  /** The processor thread's built-in prototype keys (tests check them for pollution). */
  prototypeKeys(): Promise<PrototypeKeys> {
    return this.request<PrototypeKeys>((id) => ({ kind: 'prototypes', id }));
  }

  /** Drops purged offsets from profile timelines; resolves with the profiles changed. */
  pruneTimelines(offsets: number[]): Promise<number> {
    return this.request<number>((id) => ({ kind: 'prune', id, offsets }));
  }

  private request<T>(message: (id: number) => ToProcessor): Promise<T> {
    if (this.stopping) return Promise.reject(new Error('the processor is stopping'));
    const id = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.requests.set(id, { resolve: resolve, reject });
      this.send(message(id));
    });
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
