import { parentPort, workerData } from 'node:worker_threads';
import { dedupPurger } from './dedup-purger.js';
import { rowWidth } from './event-rows.js';
import {
  duplicateOffset,
  type WriterReply,
  type WriterRequest,
  type WriterSettings,
} from './log-writer.protocol.js';
import { openDatabase } from './open-database.js';

/**
 * The single writer of the event log. Requests that arrive while a commit is running queue
 * up and are committed together in the next transaction (group commit), so one fsync
 * acknowledges many requests.
 */
const settings = workerData as WriterSettings;
const port = parentPort;
if (port === null) throw new Error('log-writer must run as a worker thread');

const db = openDatabase(settings.file, { migrate: false });
const claimMessageId = db.prepare(
  `INSERT INTO event_dedup (source_id, message_id, received_at) VALUES (?, ?, ?)
   ON CONFLICT (source_id, message_id) DO UPDATE SET received_at = excluded.received_at
   WHERE event_dedup.received_at < ?`,
);
const insertEvent = db.prepare(
  `INSERT INTO events (source_id, message_id, type, event, user_id, anonymous_id, timestamp,
     original_timestamp, sent_at, received_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);

type AppendRequest = Extract<WriterRequest, { kind: 'append' }>;
let queue: AppendRequest[] = [];
let flushScheduled = false;
/** Numbers the commits, so the main thread can tell how many requests shared one. */
let commitNumber = 0;

const commitGroup = db.transaction((group: AppendRequest[]): Float64Array[] =>
  group.map(({ rows }) => {
    const offsets = new Float64Array(rows.length / rowWidth);
    for (let r = 0, i = 0; i < rows.length; r++, i += rowWidth) {
      const receivedAt = rows[i + 9] as number;
      const claimed = claimMessageId.run(
        rows[i],
        rows[i + 1],
        receivedAt,
        receivedAt - settings.dedupWindowMs,
      );
      if (claimed.changes === 0) {
        offsets[r] = duplicateOffset;
        continue;
      }
      offsets[r] = Number(insertEvent.run(rows.slice(i, i + rowWidth)).lastInsertRowid);
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
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const { id } of group) post({ kind: 'failed', id, error: message });
    return;
  }
  commitNumber++;
  group.forEach(({ id }, index) => {
    const offsets = results[index] as Float64Array;
    post({ kind: 'appended', id, offsets, commit: commitNumber });
  });
}

function post(reply: WriterReply): void {
  port?.postMessage(reply);
}

const purger = dedupPurger(db, settings.dedupWindowMs);
const purgeTimer = setInterval(
  () => purger.runSome(() => queue.length > 0),
  settings.dedupPurgeIntervalMs,
);

port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    flush();
    clearInterval(purgeTimer);
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

post({ kind: 'ready' });
