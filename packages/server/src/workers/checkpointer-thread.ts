import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import type { Schema } from '../adapters/sqlite/migrations.js';
import { spawnThread } from '../platform/spawn-thread.js';

export interface CheckpointerSettings {
  files: { file: string; schema: Schema }[];
  intervalMs: number;
}

export type ToCheckpointer = { kind: 'stop' };

/** The request thread's handle on the checkpointer thread (see checkpointer.worker.ts). */
export class CheckpointerThread {
  private constructor(private readonly worker: Worker) {}

  static async start(
    settings: CheckpointerSettings,
    logger: { error(details: object, message: string): void },
  ): Promise<CheckpointerThread> {
    const worker = spawnThread('./checkpointer.worker', import.meta.url, settings);
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    // Without it the WAL files only grow until the writers' own autocheckpoint kicks in.
    worker.on('error', (error) => logger.error({ err: error }, 'checkpointer thread failed'));
    return new CheckpointerThread(worker);
  }

  async stop(): Promise<void> {
    const exited = once(this.worker, 'exit');
    this.worker.postMessage({ kind: 'stop' } satisfies ToCheckpointer);
    await exited;
  }
}
