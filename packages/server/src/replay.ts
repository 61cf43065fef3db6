import { existsSync, renameSync, rmSync } from 'node:fs';
import { SqliteEventReader } from './adapters/sqlite/event-reader.sqlite.js';
import { openDatabase } from './adapters/sqlite/open-database.js';
import { SqliteProcessorStore } from './adapters/sqlite/processor-store.sqlite.js';
import { databaseFilesOf } from './app.js';
import type { Config } from './config/config.js';
import { processingOf } from './config/processing.js';
import { Processor } from './modules/processor/processor.js';
import { lockDataDir } from './platform/data-dir-lock.js';
import { systemClock } from './platform/clock.js';
import {
  buildProcessorSteps,
  optionalProcessorTracks,
  processorStateOptions,
} from './processor-steps.js';
import { PiiCipher } from './modules/privacy/pii-cipher.js';
import { resolveKeyring } from './platform/keyring-source.js';

export interface ReplayProgress {
  processed: number;
  total: number;
  eventsPerSecond: number;
}

/**
 * Rebuilds all derived state from the event log: the processor runs over the whole log
 * into a fresh state file, which then replaces the old one. Needs the server stopped
 * (it takes the data directory's lock); the old state stays in place if it fails.
 */
export async function replay(
  config: Pick<Config, 'dataDir' | 'processor' | 'identity' | 'profiles' | 'privacy'>,
  onProgress: (p: ReplayProgress) => void,
): Promise<ReplayProgress> {
  const files = databaseFilesOf(config);
  const unlock = lockDataDir(config.dataDir);
  const rebuilt = `${files.state}.rebuild`;
  try {
    for (const suffix of ['', '-wal', '-shm']) rmSync(rebuilt + suffix, { force: true });
    const logDb = openDatabase(files.log, { schema: 'log' });
    const stateDb = openDatabase(rebuilt, processorStateOptions(config.processor.cacheMb));
    const processing = processingOf(config);
    const cipher = new PiiCipher(resolveKeyring(config).keyring, processing.pii);
    const reader = new SqliteEventReader(logDb, cipher);
    const total = await reader.lastOffset();
    const processor = new Processor({
      name: 'main',
      log: {
        readToProcess: (a, l, withMessage, skip) => reader.readToProcess(a, l, withMessage, skip),
        onAppend: () => () => undefined,
      },
      store: new SqliteProcessorStore(stateDb, systemClock),
      steps: buildProcessorSteps(stateDb, processing, {
        logDb,
        reader,
        cipher,
        clock: systemClock,
      }),
      batchSize: config.processor.batchSize,
      pollIntervalMs: config.processor.pollIntervalMs,
      optionalTracks: optionalProcessorTracks,
      clock: systemClock,
      logger: { error: () => undefined },
    });
    const started = performance.now();
    let processed = 0;
    let reported = started;
    const progress = (): ReplayProgress => ({
      processed,
      total,
      eventsPerSecond: processed / Math.max(0.001, (performance.now() - started) / 1000),
    });
    for (let n = await processor.runOnce(); n > 0; n = await processor.runOnce()) {
      processed = processor.committedOffset;
      if (performance.now() - reported > 1000) {
        reported = performance.now();
        onProgress(progress());
      }
    }
    logDb.close();
    stateDb.close();
    for (const suffix of ['-wal', '-shm']) rmSync(files.state + suffix, { force: true });
    if (existsSync(files.state)) rmSync(files.state);
    renameSync(rebuilt, files.state);
    const done = progress();
    onProgress(done);
    return done;
  } finally {
    unlock();
  }
}
