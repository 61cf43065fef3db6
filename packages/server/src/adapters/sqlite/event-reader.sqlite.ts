import type {
  EventFields,
  EventFilter,
  EventLog,
  LoggedEvent,
  ProcessingRead,
  ScanResult,
  TrackRead,
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
import { internalSourceId } from '../../modules/event-log/internal-events.js';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';

export type EventReader = Pick<
  EventLog,
  'read' | 'readFields' | 'readToProcess' | 'readOffsets' | 'readTracks' | 'scan' | 'lastOffset'
>;

/**
 * The read side of the event log, on any connection (threads other than the writer's).
 * Messages come back decrypted; `readFields` (no message) gives the ids' pseudonyms.
 */
export class SqliteEventReader implements EventReader {
  private readonly readAfter;
  private readonly readFieldsAfter;
  private readonly lastSeq;
  private readonly windowAfter;
  private readonly toProcess;
  private readonly fieldsToProcess;
  private readonly readListed;
  private readonly readListedTracks;
  private readonly open: OpenText;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly cipher: Pick<PiiCipher, 'openText' | 'idColumn' | 'parse'>,
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
    // Only the properties are extracted (by SQLite): the ids and context, where most
    // ciphertexts are, are neither copied out nor decrypted.
    this.readListedTracks = db
      .prepare(
        `SELECT seq, event, timestamp,
           CASE WHEN event IN (SELECT value FROM json_each(@withProperties)) THEN message -> '$.properties' END
         FROM events WHERE seq IN (SELECT value FROM json_each(@offsets)) AND type = 'track'
           AND event IN (SELECT value FROM json_each(@events)) ORDER BY seq`,
      )
      .raw();
    this.windowAfter = db.prepare(
      'SELECT max(seq) AS upto, count(*) AS n FROM (SELECT seq FROM events WHERE seq > ? ORDER BY seq LIMIT ?)',
    );
    // Attune's announcements are skipped by SQLite: after a backfill they are millions.
    const notOwn = `source_id <> '${internalSourceId}'`;
    const notSkipped = `NOT (type = 'track' AND event IN (SELECT value FROM json_each(?)))`;
    this.toProcess = db
      .prepare(
        `SELECT ${eventColumns} FROM events WHERE seq > ? AND seq <= ? AND ${notOwn} AND ${notSkipped} ORDER BY seq`,
      )
      .raw();
    this.fieldsToProcess = db
      .prepare(
        `SELECT ${fieldColumns} FROM events WHERE seq > ? AND seq <= ? AND ${notOwn} AND ${notSkipped} ORDER BY seq`,
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

  async readTracks(
    offsets: number[],
    events: readonly string[],
    withProperties: readonly string[],
  ): Promise<TrackRead[]> {
    if (offsets.length === 0 || events.length === 0) return [];
    const rows = this.readListedTracks.all({
      offsets: JSON.stringify(offsets),
      events: JSON.stringify(events),
      withProperties: JSON.stringify(withProperties),
    }) as [number, string, number, unknown][];
    return rows.map(([offset, event, timestamp, text]) => ({
      offset,
      event,
      timestamp,
      properties: propertiesOf(text, withProperties, event, this.cipher),
    }));
  }

  async readFields(afterOffset: number, limit: number): Promise<EventFields[]> {
    return (this.readFieldsAfter.all(afterOffset, limit) as EventRow[]).map(toEventFields);
  }

  async readToProcess(
    afterOffset: number,
    limit: number,
    withMessage: boolean,
    skipTracks: readonly string[] = [],
  ): Promise<ProcessingRead> {
    // The window is fixed first: rows appended meanwhile have higher offsets (one writer),
    // so nothing inside it can appear later and be skipped.
    const window = this.windowAfter.get(afterOffset, limit) as { upto: number | null; n: number };
    if (window.upto === null) return { events: [], through: afterOffset, reachedEnd: true };
    const rows = (withMessage ? this.toProcess : this.fieldsToProcess).all(
      afterOffset,
      window.upto,
      JSON.stringify(skipTracks),
    ) as EventRow[];
    const events = withMessage
      ? rows.map((row) => toLoggedEvent(row, this.open))
      : rows.map(toEventFields);
    return { events, through: window.upto, reachedEnd: window.n < limit };
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

/** Properties as readTracks returns them: null when not asked for, {} when not an object. */
function propertiesOf(
  text: unknown,
  wanted: readonly string[],
  event: string,
  cipher: Pick<PiiCipher, 'parse'>,
): Record<string, unknown> | null {
  if (typeof text === 'string') {
    const value = cipher.parse<unknown>(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  }
  return wanted.includes(event) ? {} : null;
}
