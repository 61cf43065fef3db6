import type { JourneyMapStages } from '@attune/contracts';
import type {
  JourneyMapDefinitionStore,
  JourneyMapStatsStore,
  StageTransition,
  StoredJourneyMap,
} from '../../modules/journey-map/journey-map.store.js';
import type { SqliteDatabase } from './open-database.js';

export class SqliteJourneyMapDefinitionStore implements JourneyMapDefinitionStore {
  // The processor reads the map at the start of every transaction: prepared once.
  private readonly select;

  constructor(private readonly db: SqliteDatabase) {
    this.select = db.prepare('SELECT * FROM journey_map WHERE id = 1');
  }

  get(): StoredJourneyMap | undefined {
    const row = this.select.get() as
      { version: number; stages: string; updated_at: number } | undefined;
    if (row === undefined) return undefined;
    return {
      version: row.version,
      stages: JSON.parse(row.stages) as JourneyMapStages,
      updatedAt: row.updated_at,
    };
  }

  put(stages: JourneyMapStages, now: number): StoredJourneyMap {
    // IMMEDIATE: it reads, then writes; upgrading a read beside the log writer thread fails
    // with SQLITE_BUSY when the writer committed in between.
    return this.db
      .transaction(() => {
        const version = (this.get()?.version ?? 0) + 1;
        this.db
          .prepare(
            `INSERT INTO journey_map (id, version, stages, updated_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET version = excluded.version, stages = excluded.stages,
             updated_at = excluded.updated_at`,
          )
          .run(version, JSON.stringify(stages), now);
        return { version, stages, updatedAt: now };
      })
      .immediate();
  }
}

export class SqliteJourneyMapStatsStore implements JourneyMapStatsStore {
  constructor(private readonly db: SqliteDatabase) {}

  populations(): Map<string, number> {
    const rows = this.db
      .prepare('SELECT stage, count(*) FROM profile_stages GROUP BY stage')
      .raw()
      .all() as [string, number][];
    return new Map(rows);
  }

  transitions(from: number, to: number): StageTransition[] {
    const rows = this.db
      .prepare(
        `SELECT from_stage, to_stage, count(*) FROM stage_changes WHERE at >= ? AND at < ?
         GROUP BY from_stage, to_stage ORDER BY 3 DESC`,
      )
      .raw()
      .all(from, to) as [string | null, string | null, number][];
    return rows.map(([f, t, count]) => ({ from: f, to: t, count }));
  }

  timesInStage(from: number, to: number): Map<string, number[]> {
    const rows = this.db
      .prepare(
        `SELECT c.from_stage, c.at - (SELECT p.at FROM stage_changes p
                                       WHERE p.profile_id = c.profile_id AND p.seq < c.seq
                                       ORDER BY p.seq DESC LIMIT 1)
         FROM stage_changes c WHERE c.at >= ? AND c.at < ? AND c.from_stage IS NOT NULL`,
      )
      .raw()
      .all(from, to) as [string, number | null][];
    const times = new Map<string, number[]>();
    for (const [stage, ms] of rows) {
      if (ms === null) continue;
      const list = times.get(stage);
      if (list === undefined) times.set(stage, [ms]);
      else list.push(ms);
    }
    return times;
  }
}
