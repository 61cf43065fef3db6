/**
 * Migrations of `state.db`: derived state and the processor offsets (see migrations.ts).
 * Append only.
 */
export const stateMigrations: string[] = [
  `
  CREATE TABLE processor_offsets (
    name TEXT PRIMARY KEY,
    committed_offset INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE event_volume (
    source_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_received_at INTEGER NOT NULL,
    last_received_at INTEGER NOT NULL,
    PRIMARY KEY (source_id, type, event)
  ) WITHOUT ROWID;
  `,
  `
  -- Identity graph: profiles (merged ones point at their survivor) and their identifiers.
  CREATE TABLE identity_profiles (
    id TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    merged_into TEXT,
    created_offset INTEGER NOT NULL
  );
  CREATE INDEX identity_profiles_merged_into ON identity_profiles (merged_into) WHERE merged_into IS NOT NULL;
  CREATE TABLE identities (
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (type, value)
  ) WITHOUT ROWID;
  CREATE INDEX identities_profile ON identities (profile_id);
  CREATE TABLE identity_merges (
    seq INTEGER PRIMARY KEY,
    survivor_id TEXT NOT NULL,
    merged_id TEXT NOT NULL,
    event_offset INTEGER NOT NULL,
    event_message_id TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    identifiers TEXT NOT NULL
  );
  CREATE INDEX identity_merges_survivor ON identity_merges (survivor_id);
  CREATE INDEX identity_merges_merged ON identity_merges (merged_id);
  CREATE TABLE identity_conflicts (
    seq INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    other_profile_id TEXT,
    identifier_type TEXT,
    identifier_value TEXT,
    reason TEXT NOT NULL,
    event_offset INTEGER NOT NULL,
    event_time INTEGER NOT NULL
  );
  -- Profile data, one row per surviving profile.
  CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    traits TEXT NOT NULL,
    computed TEXT NOT NULL
  );
  CREATE TABLE profile_events (
    profile_id TEXT NOT NULL,
    event_offset INTEGER NOT NULL,
    PRIMARY KEY (profile_id, event_offset)
  ) WITHOUT ROWID;
  `,
  `
  -- Profiles keyed by id in one B-tree (WITHOUT ROWID): an update is one seek, not two.
  -- The timeline is kept in chunks: a profile's newest offsets ride in its row (which is
  -- written for every event anyway) and move to profile_timeline 32 at a time, instead of
  -- one random insert per event.
  CREATE TABLE profiles_v2 (
    id TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    traits TEXT NOT NULL,
    computed TEXT NOT NULL,
    recent_events TEXT NOT NULL DEFAULT '[]'
  ) WITHOUT ROWID;
  INSERT INTO profiles_v2 (id, first_seen, last_seen, event_count, traits, computed)
    SELECT id, first_seen, last_seen, event_count, traits, computed FROM profiles;
  DROP TABLE profiles;
  ALTER TABLE profiles_v2 RENAME TO profiles;
  CREATE TABLE profile_timeline (
    profile_id TEXT NOT NULL,
    last_offset INTEGER NOT NULL,
    first_offset INTEGER NOT NULL,
    offsets TEXT NOT NULL,
    PRIMARY KEY (profile_id, last_offset)
  ) WITHOUT ROWID;
  INSERT INTO profile_timeline (profile_id, last_offset, first_offset, offsets)
    SELECT profile_id, max(event_offset), min(event_offset), json_group_array(event_offset)
    FROM (SELECT * FROM profile_events ORDER BY profile_id, event_offset) GROUP BY profile_id;
  DROP TABLE profile_events;
  CREATE TABLE identity_profiles_v2 (
    id TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    merged_into TEXT,
    created_offset INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO identity_profiles_v2 SELECT id, first_seen, merged_into, created_offset FROM identity_profiles;
  DROP TABLE identity_profiles;
  ALTER TABLE identity_profiles_v2 RENAME TO identity_profiles;
  CREATE INDEX identity_profiles_merged_into ON identity_profiles (merged_into) WHERE merged_into IS NOT NULL;
  -- How far the merges (identity_merges.seq) have come back through the log as
  -- 'Identity Merged' events: the relay emits the ones after it.
  CREATE TABLE merge_events_logged (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
  );
  -- Identifiers that could not be used (invalid email or phone, blocked junk value), per hour.
  CREATE TABLE identifier_issues (
    hour INTEGER NOT NULL,
    type TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, type, reason)
  ) WITHOUT ROWID;
  `,
  `
  -- Segments. A profile row carries what its segment evaluation needs: the event trails
  -- (per event filter: count, first/last, latest times) and its memberships.
  ALTER TABLE profiles ADD COLUMN trails TEXT NOT NULL DEFAULT '{}';
  ALTER TABLE profiles ADD COLUMN segments TEXT NOT NULL DEFAULT '{}';
  -- Which definition version the processor evaluates, and how far its backfill has come:
  -- events up to active_from_offset are folded in by the backfill, later ones live.
  CREATE TABLE segment_status (
    segment_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('backfilling', 'ready')),
    active_from_offset INTEGER NOT NULL,
    backfill_after_profile TEXT NOT NULL DEFAULT '',
    profiles_done INTEGER NOT NULL DEFAULT 0,
    profiles_total INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    ready_at INTEGER
  );
  -- Trail keys and the offset from which the live path has folded events into them.
  CREATE TABLE segment_trail_keys (
    key TEXT PRIMARY KEY,
    live_after_offset INTEGER NOT NULL
  );
  CREATE TABLE segment_members (
    segment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (segment_id, profile_id)
  ) WITHOUT ROWID;
  CREATE INDEX segment_members_profile ON segment_members (profile_id);
  -- Every entry and exit, in order (membership history; the source of Segment Entered/Exited).
  CREATE TABLE segment_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    segment_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    entered INTEGER NOT NULL,
    at INTEGER NOT NULL,
    event_offset INTEGER
  );
  CREATE INDEX segment_changes_profile ON segment_changes (profile_id, seq);
  CREATE INDEX segment_changes_segment ON segment_changes (segment_id, seq);
  -- One durable timer per profile: the earliest instant a membership can change by time alone.
  CREATE TABLE segment_timers (
    profile_id TEXT PRIMARY KEY,
    due_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX segment_timers_due ON segment_timers (due_at);
  -- How far segment changes have come back through the log as Segment Entered/Exited events.
  CREATE TABLE segment_events_logged (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
  );
  `,
  `
  -- Journey-map stages: each profile's current stage, and every change (for the report and
  -- the Stage Entered events).
  CREATE TABLE profile_stages (
    profile_id TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    since INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX profile_stages_stage ON profile_stages (stage);
  CREATE TABLE stage_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT,
    at INTEGER NOT NULL,
    event_offset INTEGER
  );
  CREATE INDEX stage_changes_at ON stage_changes (at);
  CREATE INDEX stage_changes_profile ON stage_changes (profile_id, seq);
  CREATE TABLE stage_events_logged (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
  );
  -- How many of the latest times a trail keeps: when a new reader needs more, it is rebuilt.
  ALTER TABLE segment_trail_keys ADD COLUMN keep INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- The outbox numbers each change as the profile's n-th entry/exit of the segment: a narrow
  -- index makes that count a short range scan instead of one over the whole segment.
  CREATE INDEX segment_changes_profile_segment ON segment_changes (profile_id, segment_id, entered, seq);
  `,
  `
  -- Covered by segment_changes_profile_segment (profile_id first); one index less to update
  -- per membership change, the processor's main cost with many segments.
  DROP INDEX segment_changes_profile;
  `,
  `
  -- A profile's current segments are read from its row (profiles.segments): one index less
  -- to update per membership change.
  DROP INDEX segment_members_profile;
  -- Each segment's member count, kept by the processor, so listing segments counts nothing.
  ALTER TABLE segment_status ADD COLUMN members INTEGER NOT NULL DEFAULT 0;
  UPDATE segment_status SET members =
    (SELECT count(*) FROM segment_members m WHERE m.segment_id = segment_status.segment_id);
  `,
  `
  -- For segments that read computed values (RFM scores, recency): the RFM snapshot and day
  -- they were last evaluated over every profile with; a new one re-evaluates them.
  ALTER TABLE segment_status ADD COLUMN computed_epoch TEXT NOT NULL DEFAULT '';
  `,
  `
  -- PII at rest: identifiers are looked up by their HMAC pseudonym (value) and kept
  -- encrypted for display; profile traits, merges and conflicts hold PII encrypted. Older
  -- state holds them in the clear, and derived state is rebuilt rather than converted:
  -- everything is emptied and the processor replays the log from offset 0 (as if state.db
  -- had been deleted). Merge, segment and stage events it announces again are dropped by
  -- the log's dedup (their messageIds are functions of what they announce).
  DROP TABLE identities;
  CREATE TABLE identities (
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    display TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (type, value)
  ) WITHOUT ROWID;
  CREATE INDEX identities_profile ON identities (profile_id);
  DELETE FROM processor_offsets;
  DELETE FROM event_volume;
  DELETE FROM identity_profiles;
  DELETE FROM identity_merges;
  DELETE FROM identity_conflicts;
  DELETE FROM profiles;
  DELETE FROM profile_timeline;
  DELETE FROM merge_events_logged;
  DELETE FROM identifier_issues;
  DELETE FROM segment_status;
  DELETE FROM segment_trail_keys;
  DELETE FROM segment_members;
  DELETE FROM segment_changes;
  DELETE FROM segment_timers;
  DELETE FROM segment_events_logged;
  DELETE FROM profile_stages;
  DELETE FROM stage_changes;
  DELETE FROM stage_events_logged;
  `,
  `
  -- Profile rows grew to kilobytes (trails, memberships). In a WITHOUT ROWID table a row over
  -- about 1 KB spills into overflow pages, so every save rewrote two or three pages; a rowid
  -- table keeps it in one leaf page (up to about 4 KB) and the id moves to an index, which a
  -- save does not touch. Measured: an update costs about a quarter as much.
  CREATE TABLE profiles_rowid (
    id TEXT PRIMARY KEY,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    traits TEXT NOT NULL,
    computed TEXT NOT NULL,
    recent_events TEXT NOT NULL DEFAULT '[]',
    trails TEXT NOT NULL DEFAULT '{}',
    segments TEXT NOT NULL DEFAULT '{}'
  );
  INSERT INTO profiles_rowid (id, first_seen, last_seen, event_count, traits, computed,
      recent_events, trails, segments)
    SELECT id, first_seen, last_seen, event_count, traits, computed, recent_events, trails,
      segments FROM profiles ORDER BY id;
  DROP TABLE profiles;
  ALTER TABLE profiles_rowid RENAME TO profiles;
  `,
  `
  -- Size over time reads per-hour sums of entries minus exits: one upsert per segment and
  -- hour in each transaction, instead of an index entry per change (2M entries in a
  -- backfill of 100 segments over 100k profiles).
  CREATE TABLE segment_size_deltas (
    segment_id TEXT NOT NULL,
    hour INTEGER NOT NULL,
    delta INTEGER NOT NULL,
    PRIMARY KEY (segment_id, hour)
  ) WITHOUT ROWID;
  INSERT INTO segment_size_deltas (segment_id, hour, delta)
    SELECT segment_id, at / 3600000, sum(CASE WHEN entered = 1 THEN 1 ELSE -1 END)
    FROM segment_changes GROUP BY segment_id, at / 3600000;
  DROP INDEX segment_changes_segment;
  `,
];
