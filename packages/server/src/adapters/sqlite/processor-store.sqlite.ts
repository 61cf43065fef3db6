import type { Clock } from '../../platform/clock.js';
import type { ProcessorStore } from '../../modules/processor/processor.store.js';
import type {
  EventVolumeDelta,
  EventVolumeStore,
} from '../../modules/processor/event-volume.step.js';
import type { SqliteDatabase } from './open-database.js';

export class SqliteProcessorStore implements ProcessorStore {
  private readonly read;
  private readonly write;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {
    this.read = db.prepare(`SELECT committed_offset FROM processor_offsets WHERE name = ?`).pluck();
    this.write = db.prepare(
      `INSERT INTO processor_offsets (name, committed_offset, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET committed_offset = excluded.committed_offset, updated_at = excluded.updated_at`,
    );
  }

  committedOffset(processor: string): number {
    return Number(this.read.get(processor) ?? 0);
  }

  begin(): void {
    // IMMEDIATE: take the write lock up front, so the transaction cannot fail half way
    // with SQLITE_BUSY when another connection writes at the same moment.
    this.db.exec('BEGIN IMMEDIATE');
  }

  commit(processor: string, offset: number): void {
    this.write.run(processor, offset, this.clock.now());
    this.db.exec('COMMIT');
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }
}

export class SqliteEventVolumeStore implements EventVolumeStore {
  private readonly upsert;

  constructor(db: SqliteDatabase) {
    this.upsert = db.prepare(
      `INSERT INTO event_volume (source_id, type, event, count, first_received_at, last_received_at)
       VALUES (@sourceId, @type, @event, @count, @firstReceivedAt, @lastReceivedAt)
       ON CONFLICT (source_id, type, event) DO UPDATE SET
         count = count + excluded.count,
         first_received_at = min(first_received_at, excluded.first_received_at),
         last_received_at = max(last_received_at, excluded.last_received_at)`,
    );
  }

  add(deltas: EventVolumeDelta[]): void {
    for (const delta of deltas) this.upsert.run(delta);
  }
}
