/**
 * Diagnostics read straight from Attune's state file (read-only, beside the running server;
 * WAL lets both read): the backfill's duration by the server's own clock, and how many
 * membership changes the Segment Entered/Exited outbox has announced. Only for the report:
 * the measurements themselves go through the API. Undefined when the schema differs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Keyring, type KeyringSecrets } from '../../packages/server/src/platform/keyring.js';
import { keyringFileName } from '../../packages/server/src/platform/keyring-source.js';

export interface StatePeek {
  /** Latest ready_at − earliest started_at of the segments, seconds. */
  backfillSeconds: number | null;
  /** Rows in segment_changes (entries and exits). */
  changes: number;
  /** Changes announced to the log as Segment Entered/Exited events (and seen back). */
  announced: number;
}

export function peekState(dataDir: string): StatePeek | undefined {
  try {
    const db = new Database(join(dataDir, 'state.db'), { readonly: true, fileMustExist: true });
    try {
      const span = db
        .prepare(
          `SELECT min(started_at) AS started, max(ready_at) AS ready,
                  sum(ready_at IS NULL) AS waiting
           FROM segment_status WHERE segment_id NOT LIKE '%:%'`,
        )
        .get() as { started: number | null; ready: number | null; waiting: number };
      const changes = db.prepare('SELECT max(seq) FROM segment_changes').pluck().get() as
        number | null;
      const announced = db
        .prepare('SELECT seq FROM segment_events_logged WHERE id = 1')
        .pluck()
        .get() as number | undefined;
      return {
        backfillSeconds:
          span.started === null || span.ready === null || span.waiting > 0
            ? null
            : (span.ready - span.started) / 1000,
        changes: changes ?? 0,
        announced: announced ?? 0,
      };
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/**
 * When the processor evaluated the user's latest entry into `segmentId` (its clock, epoch
 * ms), read from segment_changes; null when there is none (or the schema differs).
 * Identities are keyed by pseudonym: computed with the keyring Attune generated.
 */
export function enteredAt(dataDir: string, userId: string, segmentId: string): number | null {
  try {
    const secrets = JSON.parse(
      readFileSync(join(dataDir, keyringFileName), 'utf8'),
    ) as KeyringSecrets;
    const value = Keyring.fromSecrets(secrets).pseudonym('user_id', userId);
    const db = new Database(join(dataDir, 'state.db'), { readonly: true, fileMustExist: true });
    try {
      const at = db
        .prepare(
          `SELECT c.at FROM identities i JOIN segment_changes c ON c.profile_id = i.profile_id
           WHERE i.type = 'user_id' AND i.value = ? AND c.segment_id = ? AND c.entered = 1
           ORDER BY c.seq DESC LIMIT 1`,
        )
        .pluck()
        .get(value, segmentId) as number | undefined;
      return at ?? null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
