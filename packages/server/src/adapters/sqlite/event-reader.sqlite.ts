import type {
  EventFields,
  EventFilter,
  EventLog,
  LoggedEvent,
  ScanResult,
} from '../../modules/event-log/event-log.store.js';
import {
  eventColumns,
  fieldColumns,
  toEventFields,
  toLoggedEvent,
  type EventRow,
  type OpenText,
} from './event-rows.js';
import type { SqliteDatabase } from './open-database.js';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';

export type EventReader = Pick<
  EventLog,
  'read' | 'readFields' | 'readOffsets' | 'scan' | 'lastOffset'
>;

/**
 * The read side of the event log, on any connection (threads other than the writer's).
 * Messages come back decrypted; `readFields` (no message) gives the ids' pseudonyms.
 */
export class SqliteEventReader implements EventReader {
  private readonly readAfter;
  private readonly readFieldsAfter;
  private readonly lastSeq;
  private readonly readListed;
  private readonly open: OpenText;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly cipher: Pick<PiiCipher, 'openText' | 'idColumn'>,
  ) {
    this.open = (text) => cipher.openText(text);
    this.readAfter = db
      .prepare(`SELECT ${eventColumns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw();
    this.readFieldsAfter = db
      .prepare(`SELECT ${fieldColumns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
      .raw();
    // One statement for any number of offsets (a JSON array), not one prepared per call.
    this.readListed = db
      .prepare(
        `SELECT ${eventColumns} FROM events WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq`,
      )
      .raw();
    this.lastSeq = db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).pluck();
  }

  async read(afterOffset: number, limit: number): Promise<LoggedEvent[]> {
    return (this.readAfter.all(afterOffset, limit) as EventRow[]).map((row) =>
      toLoggedEvent(row, this.open),
    );
  }

  async readOffsets(offsets: number[]): Promise<LoggedEvent[]> {
    if (offsets.length === 0) return [];
    return (this.readListed.all(JSON.stringify(offsets)) as EventRow[]).map((row) =>
      toLoggedEvent(row, this.open),
    );
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
    const { where, params } = filterClause(filter, this.cipher);
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
    const events = rows.map((row) => toLoggedEvent(row, this.open));
    const full = events.length === limit;
    const scannedThrough = full ? (events[events.length - 1] as LoggedEvent).offset : window.upto;
    const reachedEnd = !full && window.n < maxScanned;
    return { events, scannedThrough, reachedEnd };
  }

  async lastOffset(): Promise<number> {
    return Number(this.lastSeq.get() ?? 0);
  }
}

function filterClause(
  filter: EventFilter,
  cipher: Pick<PiiCipher, 'idColumn'>,
): { where: string; params: unknown[] } {
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
  // Ids are stored as pseudonyms; events logged before encryption (until `attune keys
  // rotate-data`) and Attune's own events (a profile id) hold the value itself.
  for (const column of ['user_id', 'anonymous_id'] as const) {
    const value = column === 'user_id' ? filter.userId : filter.anonymousId;
    if (value === undefined) continue;
    parts.push(`${column} IN (?, ?)`);
    params.push(cipher.idColumn(column, value), value);
  }
  if (filter.timestampFrom !== undefined) {
    parts.push('timestamp >= ?');
    params.push(filter.timestampFrom);
  }
  if (filter.timestampTo !== undefined) {
    parts.push('timestamp < ?');
    params.push(filter.timestampTo);
  }
  return { where: parts.map((p) => ` AND ${p}`).join(''), params };
}
