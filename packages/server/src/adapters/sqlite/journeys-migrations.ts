/**
 * Migrations of `journeys.db`: journey definitions and where each profile is in each
 * journey. Not derived state: sends happened, so it is never rebuilt by replay. Its own file
 * because the executor commits beside the log writer and the processor; one writer per file.
 */
export const journeysMigrations: string[] = [
  `
  -- Every version of every journey; the highest version is the current one.
  CREATE TABLE journey_versions (
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    PRIMARY KEY (id, version)
  ) WITHOUT ROWID;

  -- One row per entry of a profile into a journey (its n-th is entry_seq).
  -- state: ready (run its step now) · waiting (until wake_at, or for an event) ·
  --        sending (an action is out) · completed · exited · converted.
  CREATE TABLE journey_runs (
    run_id TEXT PRIMARY KEY,
    journey_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    entry_seq INTEGER NOT NULL,
    step TEXT NOT NULL,
    state TEXT NOT NULL,
    wake_at INTEGER,
    entered_at INTEGER NOT NULL,
    ended_at INTEGER,
    goal_until INTEGER,
    converted_at INTEGER,
    trigger_offset INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX journey_runs_due ON journey_runs (wake_at)
    WHERE state IN ('ready', 'waiting') AND wake_at IS NOT NULL;
  CREATE INDEX journey_runs_profile ON journey_runs (profile_id, journey_id);

  -- Actions by their id (journey, version, profile, step, entry): the idempotency record.
  -- status: sending · sent · failed · unknown (a crash while sending) · dead (dead-letter).
  CREATE TABLE journey_actions (
    action_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    step TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX journey_actions_status ON journey_actions (status, journey_id);
  CREATE INDEX journey_actions_profile ON journey_actions (profile_id);

  -- Sends per profile and channel, for caps across journeys.
  CREATE TABLE journey_sends (
    profile_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    at INTEGER NOT NULL,
    action_id TEXT NOT NULL
  );
  CREATE INDEX journey_sends_profile ON journey_sends (profile_id, channel, at);

  -- Per journey and step: entered, exited, converted, sent, failed, suppressedConsent, …
  CREATE TABLE journey_step_counts (
    journey_id TEXT NOT NULL,
    step TEXT NOT NULL,
    counter TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (journey_id, step, counter)
  ) WITHOUT ROWID;

  -- How far the journeys have read the event log.
  CREATE TABLE journey_cursor (
    name TEXT PRIMARY KEY,
    log_offset INTEGER NOT NULL
  );
  `,
];
