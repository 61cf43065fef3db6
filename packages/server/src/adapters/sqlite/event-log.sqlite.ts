import { statSync } from 'node:fs';
import type {
  AppendResult,
  EventFields,
  TrackRead,
  EventFilter,
  EventLog,
  LoggedEvent,
  ProcessingRead,
  NewEvent,
  ScanResult,
} from '../../modules/event-log/event-log.store.js';
import type { HourFieldRow, HourOutcomeRow } from '../../modules/quality/quality.store.js';
import { SqliteEventReader } from './event-reader.sqlite.js';
import { flattenEvents } from './event-rows.js';
import { LogWriterClient } from './log-writer-client.js';
import { duplicateOffset } from './log-writer.protocol.js';
import type { SqliteDatabase } from './open-database.js';

export interface SqliteEventLogOptions {
  /** The database file; the writer thread opens its own connection to it. */
  file: string;
  /** The read connection of this thread. */
  db: SqliteDatabase;
  dedupWindowMs: number;
  /** Decrypts what is read. */
  cipher: ConstructorParameters<typeof SqliteEventReader>[1];
  /** See WriterSettings.checkpointElsewhere. */
  checkpointElsewhere?: boolean;
}

/** The event log: appends through the writer thread, reads on this thread's connection. */
export class SqliteEventLog implements EventLog {
  private readonly listeners = new Set<(lastOffset: number) => void>();
  private readonly reader: SqliteEventReader;

  private constructor(
    options: SqliteEventLogOptions,
    private readonly writer: LogWriterClient,
    private readonly file: string,
  ) {
    this.reader = new SqliteEventReader(options.db, options.cipher);
  }

  read(afterOffset: number, limit: number): Promise<LoggedEvent[]> {
    return this.reader.read(afterOffset, limit);
  }

  readOffsets(offsets: number[]): Promise<LoggedEvent[]> {
    return this.reader.readOffsets(offsets);
  }

  readToProcess(
    afterOffset: number,
    limit: number,
    withMessage: boolean,
    skipTracks?: readonly string[],
  ): Promise<ProcessingRead> {
    return this.reader.readToProcess(afterOffset, limit, withMessage, skipTracks);
  }

  readFields(afterOffset: number, limit: number): Promise<EventFields[]> {
    return this.reader.readFields(afterOffset, limit);
  }

  readTracks(
    offsets: number[],
    events: readonly string[],
    withProperties: readonly string[],
  ): Promise<TrackRead[]> {
    return this.reader.readTracks(offsets, events, withProperties);
  }

  scan(
    afterOffset: number,
    limit: number,
    filter: EventFilter,
    maxScanned: number,
  ): Promise<ScanResult> {
    return this.reader.scan(afterOffset, limit, filter, maxScanned);
  }

  lastOffset(): Promise<number> {
    return this.reader.lastOffset();
  }

  static async open(options: SqliteEventLogOptions): Promise<SqliteEventLog> {
    const writer = await LogWriterClient.start({
      file: options.file,
      dedupWindowMs: options.dedupWindowMs,
      checkpointElsewhere: options.checkpointElsewhere ?? false,
    });
    return new SqliteEventLog(options, writer, options.file);
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

  /**
   * Quality counts, written by the log writer thread in its next transaction: this thread
   * never waits for attune.db's write lock (a wait showed as 3–7 ms stalls every second).
   */
  addQualityCounts(outcomes: HourOutcomeRow[], fields: HourFieldRow[]): Promise<void> {
    return this.writer.addQualityCounts(outcomes, fields);
  }

  /** Transactions the writer committed; fewer than appends when group commit works. */
  get commits(): number {
    return this.writer.commits;
  }

  /** For readiness: why appends are refused now, or null; throws when the file cannot be read. */
  async storageProblem(): Promise<string | null> {
    await this.reader.lastOffset();
    return this.unavailableReason;
  }

  /** Why appends would fail right now (writer down), or null. */
  get unavailableReason(): string | null {
    return this.writer.unavailableReason;
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
