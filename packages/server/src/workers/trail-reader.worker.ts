import { parentPort, workerData } from 'node:worker_threads';
import { SqliteEventReader } from '../adapters/sqlite/event-reader.sqlite.js';
import { openDatabase } from '../adapters/sqlite/open-database.js';
import { SqliteProfileStore } from '../adapters/sqlite/profile-store.sqlite.js';
import { chunkReader } from '../modules/segments/backfill-read-ahead.js';
import { trailHitsReader } from '../modules/segments/trail-hits.js';
import { PiiCipher } from '../modules/privacy/pii-cipher.js';
import { Keyring } from '../platform/keyring.js';
import type { FromTrailReader, ToTrailReader, TrailReaderSettings } from './trail-reader-thread.js';

/**
 * Reads a backfill's next chunk ahead of the processor (see BackfillReadAhead) on its own
 * connections: the profiles' offsets from the state file, their events from the log,
 * matched against the trail specs here, so only numbers go back in transferred buffers.
 */
const settings = workerData as TrailReaderSettings;
const port = parentPort;
if (port === null) throw new Error('the trail reader must run as a worker thread');

const logDb = openDatabase(settings.logFile, { schema: 'log', migrate: false, mmapMb: 2048 });
const stateDb = openDatabase(settings.stateFile, { schema: 'state', migrate: false, mmapMb: 2048 });
const cipher = new PiiCipher(Keyring.fromSecrets(settings.keyring), settings.pii);
const reader = new SqliteEventReader(logDb, cipher);
const read = chunkReader(
  new SqliteProfileStore(stateDb, cipher),
  trailHitsReader((offsets, events, withProperties) =>
    reader.readTracks(offsets, events, withProperties),
  ),
);

port.on('message', (message: ToTrailReader) => {
  if (message.kind === 'stop') {
    logDb.close();
    stateDb.close();
    port.close();
    return;
  }
  read(message.afterId, message.limit, message.specs).then(
    ({ offsets, hits }) => {
      const reply = { kind: 'read' as const, id: message.id, offsets, hits };
      port.postMessage(reply satisfies FromTrailReader, [
        offsets.buffer as ArrayBuffer,
        hits.buffer as ArrayBuffer,
      ]);
    },
    (error: unknown) =>
      port.postMessage({
        kind: 'failed',
        id: message.id,
        message: error instanceof Error ? error.message : String(error),
      } satisfies FromTrailReader),
  );
});
