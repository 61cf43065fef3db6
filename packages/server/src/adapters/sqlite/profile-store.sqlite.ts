import type { TraitState } from '@attune/engine';
import type { ProfileData, ProfileStore } from '../../modules/profiles/profile.store.js';
import type { SqliteDatabase } from './open-database.js';

interface ProfileRow {
  id: string;
  first_seen: number;
  last_seen: number;
  event_count: number;
  traits: string;
  computed: string;
}

export class SqliteProfileStore implements ProfileStore {
  private readonly select;
  private readonly upsert;
  private readonly delete;
  private readonly insertEvent;
  private readonly moveTimeline;
  private readonly timeline;

  constructor(private readonly db: SqliteDatabase) {
    this.select = db.prepare('SELECT * FROM profiles WHERE id = ?');
    this.upsert = db.prepare(
      `INSERT INTO profiles (id, first_seen, last_seen, event_count, traits, computed) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen,
         event_count = excluded.event_count, traits = excluded.traits, computed = excluded.computed`,
    );
    this.delete = db.prepare('DELETE FROM profiles WHERE id = ?');
    this.insertEvent = db.prepare(
      'INSERT OR IGNORE INTO profile_events (profile_id, event_offset) VALUES (?, ?)',
    );
    this.moveTimeline = db.prepare('UPDATE profile_events SET profile_id = ? WHERE profile_id = ?');
    this.timeline = db
      .prepare(
        'SELECT event_offset FROM profile_events WHERE profile_id = ? AND event_offset < ? ORDER BY event_offset DESC LIMIT ?',
      )
      .pluck();
  }

  load(id: string): ProfileData | undefined {
    const row = this.select.get(id) as ProfileRow | undefined;
    return row === undefined ? undefined : toProfile(row);
  }

  save(p: ProfileData): void {
    this.upsert.run(
      p.id,
      p.firstSeen,
      p.lastSeen,
      p.eventCount,
      JSON.stringify(p.traits),
      JSON.stringify(p.computed),
    );
  }

  remove(id: string): void {
    this.delete.run(id);
  }

  addEvent(profileId: string, offset: number): void {
    this.insertEvent.run(profileId, offset);
  }

  moveEvents(fromId: string, toId: string): void {
    this.moveTimeline.run(toId, fromId);
  }

  eventOffsets(profileId: string, beforeOffset: number, limit: number): number[] {
    return this.timeline.all(profileId, beforeOffset, limit) as number[];
  }

  findByTrait(trait: string, value: string, afterId: string, limit: number): ProfileData[] {
    // Compared as text so `?trait.age=42` finds 42 and "42"; no index yet (scan by id).
    const rows = this.db
      .prepare(
        `SELECT * FROM profiles WHERE id > ? AND CAST(json_extract(traits, '$.values.' || json_quote(?)) AS TEXT) = ?
         ORDER BY id LIMIT ?`,
      )
      .all(afterId, trait, value, limit) as ProfileRow[];
    return rows.map(toProfile);
  }
}

function toProfile(row: ProfileRow): ProfileData {
  return {
    id: row.id,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    eventCount: row.event_count,
    traits: JSON.parse(row.traits) as TraitState,
    computed: JSON.parse(row.computed) as ProfileData['computed'],
  };
}
