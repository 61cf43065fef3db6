import type {
  RetentionCandidate,
  RetentionRunRecord,
  RetentionStore,
} from '../../modules/privacy/retention.store.js';
import type { SqliteDatabase } from './open-database.js';

export class SqliteRetentionStore implements RetentionStore {
  private readonly after;
  private readonly remove;

  constructor(private readonly db: SqliteDatabase) {
    this.after = db
      .prepare(
        'SELECT seq, source_id, type, event, received_at FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .raw();
    this.remove = db.prepare('DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))');
  }

  eventsAfter(offset: number, limit: number): RetentionCandidate[] {
    return (this.after.all(offset, limit) as [number, string, string, string | null, number][]).map(
      ([seq, sourceId, type, event, receivedAt]) => ({
        offset: seq,
        sourceId,
        type,
        event,
        receivedAt,
      }),
    );
  }

  deleteEvents(offsets: readonly number[]): number {
    if (offsets.length === 0) return 0;
    return this.remove.run(JSON.stringify(offsets)).changes;
  }

  startRun(at: number): number {
    return Number(
      this.db
        .prepare(
          'INSERT INTO retention_runs (started_at, purged, profiles_rebuilt) VALUES (?, 0, 0)',
        )
        .run(at).lastInsertRowid,
    );
  }

  finishRun(id: number, at: number, purged: number, profilesRebuilt: number): void {
    this.db
      .prepare(
        'UPDATE retention_runs SET finished_at = ?, purged = ?, profiles_rebuilt = ? WHERE id = ?',
      )
      .run(at, purged, profilesRebuilt, id);
  }

  lastRun(): RetentionRunRecord | null {
    const row = this.db
      .prepare(
        'SELECT started_at, finished_at, purged, profiles_rebuilt FROM retention_runs ORDER BY id DESC LIMIT 1',
      )
      .raw()
      .get() as [number, number | null, number, number] | undefined;
    if (row === undefined) return null;
    const [startedAt, finishedAt, purged, profilesRebuilt] = row;
    return { startedAt, finishedAt, purged, profilesRebuilt };
  }

  totalPurged(): number {
    return this.db
      .prepare('SELECT coalesce(sum(purged), 0) FROM retention_runs')
      .pluck()
      .get() as number;
  }
}
