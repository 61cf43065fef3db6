import type { StageChangeRecord } from '../../modules/journey-map/stage-events.js';
import type { SqliteDatabase } from './open-database.js';

/** Stage changes for the outbox that announces them (reads state.db). */
export class SqliteStageChangeSource {
  private readonly after;
  private readonly logged;

  constructor(db: SqliteDatabase) {
    this.after = db.prepare(
      `SELECT c.seq, c.profile_id, c.from_stage, c.to_stage, c.at, c.event_offset,
         (SELECT count(*) FROM stage_changes d WHERE d.profile_id = c.profile_id AND d.seq <= c.seq) AS ordinal
       FROM stage_changes c WHERE c.seq > ? ORDER BY c.seq LIMIT ?`,
    );
    this.logged = db.prepare('SELECT seq FROM stage_events_logged WHERE id = 1').pluck();
  }

  changesAfter(seq: number, limit: number): StageChangeRecord[] {
    const rows = this.after.all(seq, limit) as {
      seq: number;
      profile_id: string;
      from_stage: string | null;
      to_stage: string | null;
      at: number;
      event_offset: number | null;
      ordinal: number;
    }[];
    return rows.map((r) => ({
      seq: r.seq,
      profileId: r.profile_id,
      from: r.from_stage,
      to: r.to_stage,
      at: r.at,
      eventOffset: r.event_offset,
      ordinal: r.ordinal,
    }));
  }

  loggedThrough(): number {
    return (this.logged.get() as number | undefined) ?? 0;
  }
}
