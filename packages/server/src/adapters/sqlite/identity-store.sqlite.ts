import type { Identifier, IdentityPlan } from '@attune/engine';
import { IdentityGraphCache } from '../../modules/identity/identity-graph-cache.js';
import type {
  ConflictRecord,
  EventRef,
  IdentifierIssueCount,
  IdentityStore,
  MergeRecord,
} from '../../modules/identity/identity.store.js';
import type { PiiCipher } from '../../modules/privacy/pii-cipher.js';
import type { SqliteDatabase } from './open-database.js';
import type { Statement } from 'better-sqlite3';

/**
 * The identity graph in the state file. Identifiers are looked up by their pseudonym
 * (`identities.value`) and kept encrypted for display (`identities.display`); merges and
 * conflicts hold them encrypted too. Every method takes and returns plain identifiers.
 */
export class SqliteIdentityStore implements IdentityStore {
  private readonly owner;
  private readonly counts;
  private readonly firstSeen;
  private readonly insertProfile;
  private readonly moveIdentities;
  private readonly markMerged;
  private readonly repointAliases;
  private readonly lowerFirstSeen;
  private readonly insertIdentity;
  private readonly insertMerge;
  private readonly insertConflict;
  private readonly mergedInto;
  private readonly identifiers;
  private readonly cache: IdentityGraphCache | null;

  /**
   * `cachedProfiles` > 0 keeps lookups in memory: only for the connection that is the
   * graph's single writer (the processor's); a reader's cache would go stale.
   */
  constructor(
    private readonly db: SqliteDatabase,
    private readonly cipher: Pick<PiiCipher, 'pseudonym' | 'encryptLeaf' | 'decryptLeaf' | 'parse'>,
    cachedProfiles = 0,
  ) {
    this.cache = cachedProfiles >= 2 ? new IdentityGraphCache(cachedProfiles) : null;
    this.owner = db
      .prepare('SELECT profile_id FROM identities WHERE type = ? AND value = ?')
      .pluck();
    this.counts = db
      .prepare('SELECT type, count(*) AS n FROM identities WHERE profile_id = ? GROUP BY type')
      .raw();
    this.firstSeen = db.prepare('SELECT first_seen FROM identity_profiles WHERE id = ?').pluck();
    this.insertProfile = db.prepare(
      'INSERT INTO identity_profiles (id, first_seen, merged_into, created_offset) VALUES (?, ?, NULL, ?)',
    );
    this.moveIdentities = db.prepare('UPDATE identities SET profile_id = ? WHERE profile_id = ?');
    this.markMerged = db.prepare('UPDATE identity_profiles SET merged_into = ? WHERE id = ?');
    // Keep aliases one hop deep: whatever pointed at the merged profile now points at the survivor.
    this.repointAliases = db.prepare(
      'UPDATE identity_profiles SET merged_into = ? WHERE merged_into = ?',
    );
    this.lowerFirstSeen = db.prepare(
      'UPDATE identity_profiles SET first_seen = min(first_seen, ?) WHERE id = ?',
    );
    this.insertIdentity = db.prepare(
      'INSERT INTO identities (type, value, display, profile_id, first_seen) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertMerge = db.prepare(
      'INSERT INTO identity_merges (survivor_id, merged_id, event_offset, event_message_id, event_time, identifiers) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertConflict = db.prepare(
      'INSERT INTO identity_conflicts (profile_id, other_profile_id, identifier_type, identifier_value, reason, event_offset, event_time) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.mergedInto = db.prepare('SELECT merged_into FROM identity_profiles WHERE id = ?').pluck();
    this.identifiers = db
      .prepare('SELECT type, display FROM identities WHERE profile_id = ?')
      .raw();
  }

  ownerOf(identifier: Identifier): string | undefined {
    const cached = this.cache?.owner(identifier);
    if (cached !== undefined) return cached ?? undefined;
    const owner = this.owner.get(identifier.type, this.lookupKey(identifier)) as string | undefined;
    this.cache?.rememberOwner(identifier, owner);
    return owner;
  }

  countsOf(profileId: string): Record<string, number> {
    const cached = this.cache?.counts(profileId);
    if (cached !== undefined) return { ...cached };
    const counts: Record<string, number> = {};
    for (const [type, n] of this.counts.all(profileId) as [string, number][]) counts[type] = n;
    this.cache?.rememberCounts(profileId, counts);
    return counts;
  }

  firstSeenOf(profileId: string): number {
    const cached = this.cache?.firstSeen(profileId);
    if (cached !== undefined) return cached;
    const stored = this.firstSeen.get(profileId) as number | undefined;
    if (stored === undefined) return Number.POSITIVE_INFINITY;
    this.cache?.rememberFirstSeen(profileId, stored);
    return stored;
  }

  /** Forgets cached lookups: the writes they followed were rolled back. */
  discardCache(): void {
    this.cache?.clear();
  }

  apply(plan: IdentityPlan, event: EventRef): void {
    const moved: { to: string; identifiers: Identifier[] }[] = [];
    if (plan.created) this.insertProfile.run(plan.profileId, event.timestamp, event.offset);
    for (const { survivor, merged } of plan.merges) {
      const brought = this.identifiersOf(merged);
      moved.push({ to: survivor, identifiers: brought });
      this.moveIdentities.run(survivor, merged);
      this.markMerged.run(survivor, merged);
      this.repointAliases.run(survivor, merged);
      this.lowerFirstSeen.run(this.firstSeenOf(merged), survivor);
      this.insertMerge.run(
        survivor,
        merged,
        event.offset,
        event.messageId,
        event.timestamp,
        JSON.stringify(brought.map((id) => this.sealed(id))),
      );
    }
    for (const id of plan.attach) {
      this.insertIdentity.run(
        id.type,
        this.lookupKey(id),
        this.cipher.encryptLeaf(id.value),
        plan.profileId,
        event.timestamp,
      );
    }
    // Most events are not a profile's earliest: a (cached) read instead of a write per event.
    // After a merge the cached first-seen may be the survivor's own, not yet lowered by the
    // merged profile's: at worst one needless `min()` update.
    if (!plan.created && event.timestamp < this.firstSeenOf(plan.profileId))
      this.lowerFirstSeen.run(event.timestamp, plan.profileId);
    for (const c of plan.conflicts) {
      this.insertConflict.run(
        c.profileId,
        c.otherProfileId,
        c.identifier?.type ?? null,
        c.identifier === null ? null : this.cipher.encryptLeaf(c.identifier.value),
        c.reason,
        event.offset,
        event.timestamp,
      );
    }
    this.cache?.applied(plan, event.timestamp, moved);
  }

  resolve(profileId: string): string | undefined {
    const target = this.mergedInto.get(profileId) as string | null | undefined;
    if (target === undefined) return undefined;
    return target ?? profileId;
  }

  identifiersOf(profileId: string): Identifier[] {
    const rows = this.identifiers.all(profileId) as [string, string][];
    const ids = rows.map(([type, display]) => ({ type, value: this.plainValue(display) }));
    return ids.sort((a, b) => compare(a.type, b.type) || compare(a.value, b.value));
  }

  private lookupKey(identifier: Identifier): string {
    return this.cipher.pseudonym(identifier.type, identifier.value);
  }

  private sealed(identifier: Identifier): Identifier {
    return { type: identifier.type, value: this.cipher.encryptLeaf(identifier.value) };
  }

  /** Identifier values are stored as ciphertexts of strings. */
  // Statements of the less frequent calls, prepared at their first use: the merge and
  // conflict relays and every profile read ask again and again, and preparing costs more
  // than most of these queries.
  private readonly statements = new Map<string, Statement>();

  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private plainValue(stored: string): string {
    const value = this.cipher.decryptLeaf(stored);
    return typeof value === 'string' ? value : String(value);
  }

  mergesAfter(seq: number, limit: number): MergeRecord[] {
    const rows = this.prepared(
      'SELECT * FROM identity_merges WHERE seq > ? ORDER BY seq LIMIT ?',
    ).all(seq, limit) as MergeRow[];
    return rows.map((r) => toMergeRecord(r, this.cipher));
  }

  countIdentifierIssues(issues: readonly IdentifierIssueCount[]): void {
    if (issues.length === 0) return;
    const upsert = this.prepared(
      `INSERT INTO identifier_issues (hour, type, reason, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (hour, type, reason) DO UPDATE SET count = count + excluded.count`,
    );
    for (const i of issues) upsert.run(i.hour, i.type, i.reason, i.count);
  }

  mergeEventsLoggedThrough(): number {
    const seq = this.prepared('SELECT seq FROM merge_events_logged WHERE id = 1').pluck().get();
    return (seq as number | undefined) ?? 0;
  }

  mergesInto(profileId: string): MergeRecord[] {
    const rows = this.prepared(
      `SELECT m.* FROM identity_merges m
       WHERE m.survivor_id = ? OR m.survivor_id IN (SELECT id FROM identity_profiles WHERE merged_into = ?)
       ORDER BY m.seq`,
    ).all(profileId, profileId) as MergeRow[];
    return rows.map((r) => toMergeRecord(r, this.cipher));
  }

  conflicts(afterSeq: number, limit: number): ConflictRecord[] {
    const rows = this.prepared(
      'SELECT * FROM identity_conflicts WHERE seq > ? ORDER BY seq LIMIT ?',
    ).all(afterSeq, limit) as ConflictRow[];
    return rows.map((r) => ({
      seq: r.seq,
      profileId: r.profile_id,
      otherProfileId: r.other_profile_id,
      identifier:
        r.identifier_type === null
          ? null
          : { type: r.identifier_type, value: this.plainValue(r.identifier_value ?? '') },
      reason: r.reason,
      eventOffset: r.event_offset,
      eventTime: r.event_time,
    }));
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function toMergeRecord(r: MergeRow, cipher: Pick<PiiCipher, 'parse'>): MergeRecord {
  return {
    seq: r.seq,
    survivorId: r.survivor_id,
    mergedId: r.merged_id,
    eventOffset: r.event_offset,
    eventMessageId: r.event_message_id,
    eventTime: r.event_time,
    identifiers: cipher.parse<Identifier[]>(r.identifiers),
  };
}

interface MergeRow {
  seq: number;
  survivor_id: string;
  merged_id: string;
  event_offset: number;
  event_message_id: string;
  event_time: number;
  identifiers: string;
}

interface ConflictRow {
  seq: number;
  profile_id: string;
  other_profile_id: string | null;
  identifier_type: string | null;
  identifier_value: string | null;
  reason: string;
  event_offset: number;
  event_time: number;
}
