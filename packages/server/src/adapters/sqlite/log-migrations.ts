/** Migrations of `attune.db`: the log and primary data (see migrations.ts). Append only. */
export const logMigrations: string[] = [
  `
  CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('write', 'secret')),
    role TEXT,
    source_id TEXT REFERENCES sources(id),
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  -- The event log. seq is the offset: AUTOINCREMENT so an offset is never reused, even
  -- after the newest events are deleted (erasure), which consumers rely on.
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event TEXT,
    user_id TEXT,
    anonymous_id TEXT,
    timestamp INTEGER NOT NULL,
    original_timestamp INTEGER,
    sent_at INTEGER,
    received_at INTEGER NOT NULL,
    message TEXT NOT NULL
  );
  `,
  `
  -- Data quality. Tracking plans are primary data (not derivable from the log); so are the
  -- counts, which include messages that were never stored (rejected, duplicates).
  CREATE TABLE tracking_plans (
    source_id TEXT PRIMARY KEY REFERENCES sources(id),
    mode TEXT NOT NULL CHECK (mode IN ('flag', 'reject')),
    plan TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- hour = receivedAt truncated to the hour (epoch ms); '' where a value is unknown.
  CREATE TABLE quality_counts (
    hour INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, source_id, type, event, outcome, reason)
  ) WITHOUT ROWID;
  CREATE TABLE quality_fields (
    hour INTEGER NOT NULL,
    source_id TEXT NOT NULL,
    type TEXT NOT NULL,
    event TEXT NOT NULL,
    field TEXT NOT NULL,
    missing INTEGER NOT NULL,
    invalid INTEGER NOT NULL,
    PRIMARY KEY (hour, source_id, type, event, field)
  ) WITHOUT ROWID;
  `,
  `
  -- Segment definitions are primary data (what users created), so they live beside the log,
  -- not in the rebuildable state. Every edit is a new version; deleting keeps the history.
  CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    version INTEGER NOT NULL,
    condition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE TABLE segment_versions (
    segment_id TEXT NOT NULL REFERENCES segments(id),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    condition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (segment_id, version)
  );
  `,
  `
  -- The journey map: ordered stages, each with a condition (primary data, versioned).
  CREATE TABLE journey_map (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    stages TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  `
  -- RFM breakpoints (quintiles of recency, frequency and monetary over customers), one row
  -- per version. Primary data like segment definitions: they are computed at a moment that
  -- a replay cannot reproduce, so they are kept with the log and scores stay as they were.
  CREATE TABLE rfm_snapshots (
    version INTEGER PRIMARY KEY,
    computed_at INTEGER NOT NULL,
    customers INTEGER NOT NULL,
    breakpoints TEXT NOT NULL
  );
  `,
  `
  -- Consent changes (history), keyed by identifier pseudonyms, never plain ids. Primary
  -- data: when events are dropped for lack of consent, the log cannot tell what was chosen.
  -- The current state is folded from these rows at start and kept in memory.
  CREATE TABLE consent_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    pseudonym TEXT NOT NULL,
    purposes TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('context', 'event', 'api', 'import', 'gpc', 'tcf')),
    at INTEGER NOT NULL,
    country TEXT
  );
  CREATE INDEX consent_changes_pseudonym ON consent_changes (pseudonym, seq);
  `,
  `
  -- Privacy. HMAC pseudonyms of erased people's identifiers: ingest drops events carrying
  -- one unless the event re-consents (lifted_at). Only pseudonyms: the list names no one.
  CREATE TABLE suppressed_identifiers (
    pseudonym TEXT PRIMARY KEY,
    suppressed_at INTEGER NOT NULL,
    lifted_at INTEGER
  ) WITHOUT ROWID;
  -- Retention purges, one row per run (the status API shows the last one).
  CREATE TABLE retention_runs (
    id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    purged INTEGER NOT NULL,
    profiles_rebuilt INTEGER NOT NULL
  );
  `,
  `
  -- Access control: keys may expire; and the audit log, append-only and hash-chained (each
  -- hash covers the previous one), so editing or removing a row is detectable even by
  -- someone who drops the triggers.
  ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
  CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    key_id TEXT,
    role TEXT,
    action TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    target TEXT,
    ip TEXT NOT NULL,
    status INTEGER NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_log_action ON audit_log (action, seq);
  CREATE INDEX audit_log_key ON audit_log (key_id, seq);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  `
  -- attune keys rotate-data: how far each table's pass has come for the newest key, so an
  -- interrupted run resumes where it stopped.
  CREATE TABLE pii_rotation (
    target TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    after TEXT NOT NULL,
    done INTEGER NOT NULL DEFAULT 0
  );
  `,
  `
  -- Decision placements (primary data, versioned like segments): the current definition
  -- in placements, every version in placement_versions.
  CREATE TABLE placements (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE TABLE placement_versions (
    placement_id TEXT NOT NULL REFERENCES placements(id),
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (placement_id, version)
  );
  `,
];
