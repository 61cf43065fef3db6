import { statSync } from 'node:fs';
import type {
  AppendResult,
  EventFields,
  EventFilter,
  EventLog,
  LoggedEvent,
  NewEvent,
  ScanResult,
} from '../../modules/event-log/event-log.store.js';
import {
  eventColumns,
  fieldColumns,
  flattenEvents,
  toEventFields,
  toLoggedEvent,
  type EventRow,
} from './event-rows.js';
import { LogWriterClient } from './log-writer-client.js';
import { duplicateOffset } from './log-writer.protocol.js';
import type { SqliteDatabase } from './open-database.js';

export interface SqliteEventLogOptions {
  /** The database file; the writer thread opens its own connection to it. */
  file: string;
  /** The read connection of this thread. */
  db: SqliteDatabase;
  dedupWindowMs: number;
}

export class SqliteEventLog implements EventLog {
  private readonly listeners = new Set<(lastOffset: number) => void>();
  private readonly readAfter;
  private readonly readFieldsAfter;
  private readonly lastSeq;

  private constructor(
    private readonly db: SqliteDatabase,
    private readonly writer: LogWriterClient,
    private readonly file: string,
  ) {
    this.readAfter = db
      .prepare(`SELECT ${eventColumns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw();
    this.readFieldsAfter = db
      .prepare(`SELECT ${fieldColumns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw();
    this.lastSeq = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).pluck();
  }

  static async open(options: SqliteEventLogOptions): Promise<SqliteEventLog> {
    const writer = await LogWriterClient.start({
      file: options.file,
      dedupWindowMs: options.dedupWindowMs,
    });
    return new SqliteEventLog(options.db, writer, options.file);
  }

  async append(events: NewEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { offsets: [] };
    const raw = await this.writer.append(flattenEvents(events));
    const offsets = Array.from(raw, (o) => (o === duplicateOffset ? null : o));
    let last = 0;
    for (const o of raw) if (o > last) last = o;
    if (last > 0) for (const listener of this.listeners) listener(last);
    return { offsets };
  }

  async read(afterOffset: number, limit: number): Promise<LoggedEvent[]> {
    return (this.readAfter.all(afterOffset, limit) as EventRow[]).map(toLoggedEvent);
  }

  async readFields(afterOffset: number, limit: number): Promise<EventFields[]> {
    return (this.readFieldsAfter.all(afterOffset, limit) as EventRow[]).map(toEventFields);
  }

  async scan(
    afterOffset: number,
    limit: number,
    filter: EventFilter,
    maxScanned: number,
  ): Promise<ScanResult> {
    const { where, params } = filterClause(filter);
    // Scan a bounded window of offsets, then filter inside it: cost stays proportional to
    // maxScanned however rare the matches are.
    const window = this.db
      .prepare(
        `SELECT max(seq) AS upto, count(*) AS n FROM (SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?)`,
      )
      .get(afterOffset, maxScanned) as { upto: number | null; n: number };
    if (window.upto === null) return { events: [], scannedThrough: afterOffset, reachedEnd: true };
    const rows = this.db
      .prepare(
        `SELECT ${eventColumns} FROM events WHERE seq > ? AND seq <= ?${where} ORDER BY seq LIMIT ?`,
      )
      .raw()
      .all(afterOffset, window.upto, ...params, limit) as EventRow[];
    const events = rows.map(toLoggedEvent);
    const full = events.length === limit;
    const scannedThrough = full ? (events[events.length - 1] as LoggedEvent).offset : window.upto;
    const reachedEnd = !full && window.n < maxScanned;
    return { events, scannedThrough, reachedEnd };
  }

  async lastOffset(): Promise<number> {
    return Number(this.lastSeq.get() ?? 0);
  }

  /** Transactions the writer committed; fewer than appends when group commit works. */
  get commits(): number {
    return this.writer.commits;
  }

  /** What the writer's dedup index loaded from the log at start. */
  get dedupStartup(): { indexed: number; millis: number } {
    return { indexed: this.writer.dedupIndexed, millis: this.writer.dedupIndexMillis };
  }

  /** Bytes on disk of the database and its WAL. */
  sizeBytes(): number {
    let total = 0;
    for (const suffix of ['', '-wal']) {
      try {
        total += statSync(this.file + suffix).size;
      } catch {
        // the WAL may not exist yet
      }
    }
    return total;
  }

  onAppend(listener: (lastOffset: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.writer.close();
  }
}

function filterClause(filter: EventFilter): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: string | undefined): void => {
    if (value === undefined) return;
    parts.push(`${column} = ?`);
    params.push(value);
  };
  add('source_id', filter.sourceId);
  add('type', filter.type);
  add('event', filter.event);
  add('user_id', filter.userId);
  add('anonymous_id', filter.anonymousId);
  return { where: parts.map((p) => ` AND ${p}`).join(''), params };
}
