import { parentPort, workerData } from 'node:worker_threads';
import { DedupIndex } from './dedup-index.js';
import { rowWidth } from './event-rows.js';
import {
  duplicateOffset,
  type WriterReply,
  type WriterRequest,
  type WriterSettings,
} from './log-writer.protocol.js';
import { openDatabase } from './open-database.js';
import { qualityCountsWriter } from './quality-store.sqlite.js';

/**
 * The single writer of the event log. Requests that arrive while a commit is running queue
 * up and are committed together in the next transaction (group commit), so one fsync
 * acknowledges many requests. Being the only writer is also what makes the in-memory dedup
 * index complete.
 */
const settings = workerData as WriterSettings;
const port = parentPort;
if (port === null) throw new Error('log-writer must run as a worker thread');

const db = openDatabase(settings.file, { schema: 'log', migrate: false });
// 64 MB of WAL before the writer checkpoints itself, when another thread normally does it.
if (settings.checkpointElsewhere) db.pragma('wal_autocheckpoint = 16000');
const insertEvent = db.prepare(
  `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp,
     original_timestamp, sent_at, received_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const dedup = new DedupIndex(db, settings.dedupWindowMs);
const indexStarted = performance.now();
const indexed = dedup.rebuild();
const indexMillis = Math.round(performance.now() - indexStarted);

const addQualityCounts = qualityCountsWriter(db);

type AppendRequest = Extract<WriterRequest, { kind: 'append' }>;
type CountsRequest = Extract<WriterRequest, { kind: 'counts' }>;
let queue: (AppendRequest | CountsRequest)[] = [];
let flushScheduled = false;
const noOffsets = new Float64Array(0);
/** Numbers the commits, so the main thread can tell how many requests shared one. */
let commitNumber = 0;

const commitGroup = db.transaction((group: (AppendRequest | CountsRequest)[]): Float64Array[] =>
  group.map((request) => {
    if (request.kind === 'counts') {
      addQualityCounts(request.outcomes, request.fields);
      return noOffsets;
    }
    const { rows } = request;
    const offsets = new Float64Array(rows.length / rowWidth);
    for (let r = 0, i = 0; i < rows.length; r++, i += rowWidth) {
      const sourceId = rows[i] as string;
      const messageId = rows[i + 1] as string;
      const receivedAt = rows[i + 9] as number;
      if (dedup.isDuplicate(sourceId, messageId, receivedAt)) {
        offsets[r] = duplicateOffset;
        continue;
      }
      const offset = Number(
        insertEvent.run(
          sourceId,
          messageId,
          rows[i + 2],
          rows[i + 3],
          rows[i + 4],
          rows[i + 5],
          rows[i + 6],
          rows[i + 7],
          rows[i + 8],
          receivedAt,
          rows[i + 10],
        ).lastInsertRowid,
      );
      dedup.claim(sourceId, messageId, offset, receivedAt);
      offsets[r] = offset;
    }
    return offsets;
  }),
);

function flush(): void {
  flushScheduled = false;
  const group = queue;
  queue = [];
  if (group.length === 0) return;
  let results: Float64Array[];
  try {
    results = commitGroup(group);
    dedup.committed();
  } catch (error) {
    dedup.rolledBack();
    const message = error instanceof Error ? error.message : String(error);
    for (const { id } of group) post({ kind: 'failed', id, error: message });
    return;
  }
  commitNumber++;
  group.forEach(({ id, kind }, index) => {
    if (kind === 'counts') post({ kind: 'counted', id });
    else
      post({ kind: 'appended', id, offsets: results[index] as Float64Array, commit: commitNumber });
  });
}

function post(reply: WriterReply): void {
  port?.postMessage(reply);
}

const expiryTimer = setInterval(() => dedup.expire(), 60_000);

port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    flush();
    clearInterval(expiryTimer);
    db.close();
    post({ kind: 'closed' });
    port.close();
    return;
  }
  queue.push(request);
  if (!flushScheduled) {
    flushScheduled = true;
    // setImmediate runs after the port has delivered every message already waiting,
    // which is what forms the group.
    setImmediate(flush);
  }
});

post({ kind: 'ready', indexed, indexMillis });
