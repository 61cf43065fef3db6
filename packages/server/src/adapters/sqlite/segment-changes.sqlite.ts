import type {
  SegmentChangeRecord,
  SegmentChangeSource,
} from '../../modules/segments/segment-events.js';
import type { SqliteDatabase } from './open-database.js';

interface ChangeRow {
  seq: number;
  segment_id: string;
  version: number;
  profile_id: string;
  entered: number;
  at: number;
  event_offset: number | null;
  ordinal: number;
}

/** Membership changes for the outbox that announces them (reads state.db). */
export class SqliteSegmentChangeSource implements SegmentChangeSource {
  private readonly after;
  private readonly logged;
  private readonly backfillingNow;

  constructor(db: SqliteDatabase) {
    this.after = db.prepare(
      `SELECT c.*, (SELECT count(*) FROM segment_changes d
                    WHERE d.profile_id = c.profile_id AND d.segment_id = c.segment_id
                      AND d.entered = c.entered AND d.seq <= c.seq) AS ordinal
       FROM segment_changes c WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
    );
    this.logged = db.prepare('SELECT seq FROM segment_events_logged WHERE id = 1').pluck();
    this.backfillingNow = db
      .prepare("SELECT EXISTS (SELECT 1 FROM segment_status WHERE state = 'backfilling')")
      .pluck();
  }

  /** Whether a segment is being backfilled. */
  backfilling(): boolean {
    return this.backfillingNow.get() === 1;
  }

  changesAfter(seq: number, limit: number): SegmentChangeRecord[] {
    return (this.after.all(seq, limit) as ChangeRow[]).map((r) => ({
      seq: r.seq,
      segmentId: r.segment_id,
      version: r.version,
      profileId: r.profile_id,
      entered: r.entered === 1,
      at: r.at,
      eventOffset: r.event_offset,
      ordinal: r.ordinal,
    }));
  }

  segmentEventsLoggedThrough(): number {
    return (this.logged.get() as number | undefined) ?? 0;
  }
}
