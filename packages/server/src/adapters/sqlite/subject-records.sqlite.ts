import type { SubjectRecords } from '../../modules/privacy/data-export.service.js';
import type { SqliteDatabase } from './open-database.js';

/** A subject's memberships and stages as stored in state.db, for the data export. */
export class SqliteSubjectRecords implements SubjectRecords {
  constructor(private readonly db: SqliteDatabase) {}

  segmentMemberships(profileIds: readonly string[]) {
    return this.db
      .prepare(
        `SELECT segment_id AS segmentId, profile_id AS profileId, version, since
         FROM segment_members WHERE profile_id IN (SELECT value FROM json_each(?))
         ORDER BY segment_id`,
      )
      .all(JSON.stringify(profileIds)) as Record<string, unknown>[];
  }

  segmentChanges(profileIds: readonly string[]) {
    return this.db
      .prepare(
        `SELECT segment_id AS segmentId, version, profile_id AS profileId, entered = 1 AS entered,
           at, event_offset AS eventOffset
         FROM segment_changes WHERE profile_id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
      )
      .all(JSON.stringify(profileIds)) as Record<string, unknown>[];
  }

  stage(profileIds: readonly string[]) {
    return (this.db
      .prepare(
        `SELECT profile_id AS profileId, stage, since FROM profile_stages
         WHERE profile_id IN (SELECT value FROM json_each(?))`,
      )
      .get(JSON.stringify(profileIds)) ?? null) as Record<string, unknown> | null;
  }

  stageChanges(profileIds: readonly string[]) {
    return this.db
      .prepare(
        `SELECT profile_id AS profileId, from_stage AS "from", to_stage AS "to", at,
           event_offset AS eventOffset
         FROM stage_changes WHERE profile_id IN (SELECT value FROM json_each(?)) ORDER BY seq`,
      )
      .all(JSON.stringify(profileIds)) as Record<string, unknown>[];
  }
}
