/**
 * A processor in its own process, for the crash test: it applies the event-volume step and
 * a ledger step that counts how often each offset was applied, printing its progress.
 * Usage: node --conditions=source --import tsx processor-child.fixture.ts <log file> <state file> <batch size>
 */
import { SqliteEventReader } from '../../adapters/sqlite/event-reader.sqlite.js';
import { openDatabase } from '../../adapters/sqlite/open-database.js';
import {
  SqliteEventVolumeStore,
  SqliteProcessorStore,
} from '../../adapters/sqlite/processor-store.sqlite.js';
import { systemClock } from '../../platform/clock.js';
import { EventVolumeStep } from './event-volume.step.js';
import type { ProcessorStep } from './processor-step.js';
import { Processor } from './processor.js';
import { testCipher } from '../../testing/test-cipher.js';

const [file, stateFile, batchSizeText] = process.argv.slice(2);
if (file === undefined || stateFile === undefined)
  throw new Error('usage: processor-child <log file> <state file> <batch size>');

const logDb = openDatabase(file, { schema: 'log', migrate: false });
const db = openDatabase(stateFile, { schema: 'state', synchronous: 'NORMAL' });
db.exec(
  'CREATE TABLE IF NOT EXISTS test_ledger (seq INTEGER PRIMARY KEY, applied INTEGER NOT NULL)',
);
const mark = db.prepare(
  'INSERT INTO test_ledger (seq, applied) VALUES (?, 1) ON CONFLICT (seq) DO UPDATE SET applied = applied + 1',
);
const ledger: ProcessorStep = {
  name: 'ledger',
  needsMessage: false,
  apply(events) {
    for (const e of events) mark.run(e.offset);
  },
};

const reader = new SqliteEventReader(logDb, testCipher());
const processor = new Processor({
  name: 'main',
  log: {
    readToProcess: (a, l, withMessage, skip) => reader.readToProcess(a, l, withMessage, skip),
    onAppend: () => () => undefined,
  },
  store: new SqliteProcessorStore(db, systemClock),
  steps: [new EventVolumeStep(new SqliteEventVolumeStore(db)), ledger],
  batchSize: Number(batchSizeText ?? 25),
  pollIntervalMs: 10,
  clock: systemClock,
  logger: {
    error: (details, message) => process.stderr.write(`${message} ${JSON.stringify(details)}\n`),
  },
});

process.stdout.write(`started ${processor.committedOffset}\n`);
for (;;) {
  const applied = await processor.runOnce();
  if (applied === 0) break;
  process.stdout.write(`committed ${processor.committedOffset}\n`);
}
logDb.close();
db.close();
process.stdout.write('drained\n');
