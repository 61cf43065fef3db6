import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import type { CheckpointerSettings, ToCheckpointer } from './checkpointer-thread.js';

/**
 * Checkpoints the WAL of the log and the state file from a thread of its own. A checkpoint
 * copies pages into the database file and fsyncs it, which can take hundreds of ms; run by
 * the writers themselves (SQLite's autocheckpoint) it stalls a commit, and with it an
 * ingest request or the processor's next membership change. PASSIVE never blocks a writer.
 */
const settings = workerData as CheckpointerSettings;
const port = parentPort;
if (port === null) throw new Error('the checkpointer must run as a worker thread');

const databases = settings.files.map((f) =>
  openDatabase(f.file, { schema: f.schema, migrate: false }),
);
const timer = setInterval(() => {
  for (const db of databases) db.pragma('wal_checkpoint(PASSIVE)');
}, settings.intervalMs);

port.on('message', (message: ToCheckpointer) => {
  if (message.kind !== 'stop') return;
  clearInterval(timer);
  for (const db of databases) db.close();
  port.close();
});
port.postMessage({ kind: 'ready' });
