import type { IdentityRules } from '@attune/engine';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';
import type { ErasedSubject, Subject } from '../../modules/privacy/subject.js';
import { eventsCarryingIdentifiers } from './events-by-identifier.sqlite.js';
import type { SqliteDatabase } from './open-database.js';
import { subjectEventOffsets } from './subject-events.sqlite.js';
import { expandSubject } from './subject-graph.sqlite.js';

const chunk = 5_000;

/**
 * Deletes a data subject from both files: their events from the log (those the processor
 * filed under them, those carrying their identifiers, not-yet-processed ones naming them,
 * Attune's own events about their profiles), then every derived row. Runs where the state
 * file is written (the processor thread, between transactions), so nothing is folded back
 * in by an event read before the deletion. Idempotent: after a crash it is simply run again.
 */
export class SqliteSubjectEraser {
  constructor(
    private readonly logDb: SqliteDatabase,
    private readonly stateDb: SqliteDatabase,
    private readonly rules: IdentityRules,
    private readonly cipher: PiiCipher,
  ) {}

  erase(seed: Subject): ErasedSubject {
    const subject = expandSubject(this.stateDb, this.cipher, seed);
    const deleted: Record<string, number> = {};
    withSecureDelete(this.logDb, () => {
      deleted['attune.events'] = this.deleteEvents(
        subjectEventOffsets(this.logDb, this.stateDb, this.rules, this.cipher, subject),
      );
    });
    withSecureDelete(this.stateDb, () => {
      this.stateDb.transaction(() => this.deleteDerived(subject, deleted))();
    });
    return { ...subject, deleted };
  }

  /**
   * Deletes Attune's own events naming these profiles appended after `afterOffset` (an outbox
   * may have been sending one while the subject was erased); returns how many.
   */
  eraseAnnouncements(profileIds: readonly string[], afterOffset: number): number {
    const offsets = eventsCarryingIdentifiers(
      this.logDb,
      { userIds: [], anonymousIds: profileIds },
      afterOffset,
    );
    let count = 0;
    withSecureDelete(this.logDb, () => {
      count = this.deleteEvents(offsets);
    });
    return count;
  }

  private deleteEvents(all: readonly number[]): number {
    const remove = this.logDb.prepare(
      'DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))',
    );
    let count = 0;
    // In slices: the log writer waits for this lock, and ingest should not stall for long.
    for (let i = 0; i < all.length; i += chunk)
      count += remove.run(JSON.stringify(all.slice(i, i + chunk))).changes;
    return count;
  }

  private deleteDerived(subject: Subject, deleted: Record<string, number>): void {
    const db = this.stateDb;
    const ids = JSON.stringify(subject.profileIds);
    const inIds = '(SELECT value FROM json_each(?))';
    const run = (table: string, sql: string, ...params: unknown[]): void => {
      const changes = db.prepare(sql).run(...params).changes;
      deleted[`state.${table}`] = (deleted[`state.${table}`] ?? 0) + changes;
    };
    // Member counts first, while the memberships are still there to count.
    db.prepare(
      `UPDATE segment_status SET members = members -
         (SELECT count(*) FROM segment_members m
          WHERE m.segment_id = segment_status.segment_id AND m.profile_id IN ${inIds})`,
    ).run(ids);
    run('segment_members', `DELETE FROM segment_members WHERE profile_id IN ${inIds}`, ids);
    // Size over time no longer counts the subject's entries and exits.
    db.prepare(
      `INSERT INTO segment_size_deltas (segment_id, hour, delta)
         SELECT segment_id, at / 3600000, -sum(CASE WHEN entered = 1 THEN 1 ELSE -1 END)
         FROM segment_changes WHERE profile_id IN ${inIds} GROUP BY segment_id, at / 3600000
       ON CONFLICT (segment_id, hour) DO UPDATE SET delta = delta + excluded.delta`,
    ).run(ids);
    run('segment_changes', `DELETE FROM segment_changes WHERE profile_id IN ${inIds}`, ids);
    run('segment_timers', `DELETE FROM segment_timers WHERE profile_id IN ${inIds}`, ids);
    run('profile_stages', `DELETE FROM profile_stages WHERE profile_id IN ${inIds}`, ids);
    run('stage_changes', `DELETE FROM stage_changes WHERE profile_id IN ${inIds}`, ids);
    run('profiles', `DELETE FROM profiles WHERE id IN ${inIds}`, ids);
    run('profile_timeline', `DELETE FROM profile_timeline WHERE profile_id IN ${inIds}`, ids);
    run('identities', `DELETE FROM identities WHERE profile_id IN ${inIds}`, ids);
    const removeIdentity = db.prepare('DELETE FROM identities WHERE type = ? AND value = ?');
    const removeConflicts = db.prepare(
      'DELETE FROM identity_conflicts WHERE identifier_type = ? AND identifier_value = ?',
    );
    for (const { type, value } of subject.identifiers) {
      deleted['state.identities'] =
        (deleted['state.identities'] ?? 0) +
        removeIdentity.run(type, this.cipher.pseudonym(type, value)).changes;
      deleted['state.identity_conflicts'] =
        (deleted['state.identity_conflicts'] ?? 0) + removeConflicts.run(type, value).changes;
    }
    run(
      'identity_profiles',
      `DELETE FROM identity_profiles WHERE id IN ${inIds} OR merged_into IN ${inIds}`,
      ids,
      ids,
    );
    run(
      'identity_merges',
      `DELETE FROM identity_merges WHERE survivor_id IN ${inIds} OR merged_id IN ${inIds}`,
      ids,
      ids,
    );
    run(
      'identity_conflicts',
      `DELETE FROM identity_conflicts WHERE profile_id IN ${inIds} OR other_profile_id IN ${inIds}`,
      ids,
      ids,
    );
    // A backfill's cursor may name the profile; the greatest id below it resumes at the same
    // place (no profile lies between them any more).
    db.prepare(
      `UPDATE segment_status SET backfill_after_profile =
         coalesce((SELECT max(id) FROM profiles WHERE id < segment_status.backfill_after_profile), '')
       WHERE backfill_after_profile IN ${inIds}`,
    ).run(ids);
  }
}

/** Deleted content is overwritten on disk, not just unlinked from the B-tree. */
function withSecureDelete(db: SqliteDatabase, run: () => void): void {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    run();
  } finally {
    db.pragma(`secure_delete = ${before}`);
  }
}
