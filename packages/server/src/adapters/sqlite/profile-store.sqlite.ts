import { RecencyCache, type TraitState } from '@attune/engine';
import {
  keyedRecord,
  type ComputedData,
  type ProfileData,
  type ProfileStore,
} from '../../modules/profiles/profile.store.js';
import type { SqliteDatabase } from './open-database.js';
import { ProfilePii, type ProfileCipher } from './profile-pii.js';

interface ProfileRow {
  id: string;
  first_seen: number;
  last_seen: number;
  event_count: number;
  traits: string;
  computed: string;
  recent_events: string;
  trails: string;
  segments: string;
}

/**
 * A profile's columns as last loaded or saved, with traits and computed values in the
 * clear: what the processor's store keeps in memory between transactions.
 */
interface ProfileText {
  firstSeen: number;
  lastSeen: number;
  eventCount: number;
  traits: string;
  computed: string;
  recentEvents: string;
  trails: string;
  segments: string;
}

interface ChunkRow {
  last_offset: number;
  offsets: string;
}

export class SqliteProfileStore implements ProfileStore {
  private readonly select;
  private readonly update;
  private readonly updateActivity;
  private readonly insert;
  private readonly delete;
  private readonly insertChunk;
  private readonly moveChunks;
  private readonly recentOf;
  private readonly chunksBelow;
  private readonly chunksOf;
  private readonly pii: ProfilePii;
  /**
   * Recently used profiles as text, not as objects: a load parses them again. Kept as
   * objects, 100k profiles were about 75 objects and 9 KB each, and marking that heap made
   * the processor's major GCs pause ingest for a second and more; as text they are a few
   * strings each (2.7 KB), and a parse costs about 25 µs. Saving compares the text to skip
   * sealing and rewriting the encrypted columns when traits and computed values are as
   * stored.
   */
  private readonly texts: RecencyCache<string, ProfileText> | null;

  /**
   * Traits and computed values are stored with their PII encrypted (see ProfilePii).
   * `cachedProfiles` > 0 keeps that many profiles in memory: only for the connection that
   * is the profiles' single writer (the processor's), which calls `discardCache` when a
   * transaction rolls back; a reader's cache would go stale.
   */
  constructor(
    private readonly db: SqliteDatabase,
    cipher: ProfileCipher,
    cachedProfiles = 0,
  ) {
    this.pii = new ProfilePii(cipher);
    this.texts = cachedProfiles >= 2 ? new RecencyCache(cachedProfiles) : null;
    this.select = db.prepare('SELECT * FROM profiles WHERE id = ?');
    // Most saves update a profile that exists: try that first, insert when nothing matched.
    this.update = db.prepare(
      `UPDATE profiles SET first_seen = ?, last_seen = ?, event_count = ?, traits = ?, computed = ?,
         recent_events = ?, trails = ?, segments = ? WHERE id = ?`,
    );
    // Most saves of a backfill change only trails and memberships: the encrypted columns are
    // neither sealed again nor rewritten.
    this.updateActivity = db.prepare(
      `UPDATE profiles SET first_seen = ?, last_seen = ?, event_count = ?, recent_events = ?,
         trails = ?, segments = ? WHERE id = ?`,
    );
    this.insert = db.prepare(
      `INSERT INTO profiles (first_seen, last_seen, event_count, traits, computed, recent_events,
         trails, segments, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.delete = db.prepare('DELETE FROM profiles WHERE id = ?');
    this.insertChunk = db.prepare(
      'INSERT INTO profile_timeline (profile_id, last_offset, first_offset, offsets) VALUES (?, ?, ?, ?)',
    );
    this.moveChunks = db.prepare('UPDATE profile_timeline SET profile_id = ? WHERE profile_id = ?');
    this.recentOf = db.prepare('SELECT recent_events FROM profiles WHERE id = ?').pluck();
    this.chunksOf = db.prepare('SELECT offsets FROM profile_timeline WHERE profile_id = ?').pluck();
    this.chunksBelow = db.prepare(
      `SELECT last_offset, offsets FROM profile_timeline
       WHERE profile_id = ? AND first_offset < ? ORDER BY last_offset DESC`,
    );
  }

  load(id: string): ProfileData | undefined {
    const cached = this.texts?.get(id);
    if (cached !== undefined) return fromText(id, cached);
    const row = this.select.get(id) as ProfileRow | undefined;
    if (row === undefined) return undefined;
    const profile = toProfile(row, this.pii);
    this.texts?.set(id, {
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      eventCount: row.event_count,
      traits: JSON.stringify(profile.traits),
      computed: JSON.stringify(profile.computed),
      recentEvents: row.recent_events,
      trails: row.trails,
      segments: row.segments,
    });
    return profile;
  }

  save(p: ProfileData): void {
    const text: ProfileText = {
      firstSeen: p.firstSeen,
      lastSeen: p.lastSeen,
      eventCount: p.eventCount,
      traits: JSON.stringify(p.traits),
      computed: JSON.stringify(p.computed),
      recentEvents: JSON.stringify(p.recentEvents),
      trails: packTrails(p.trails),
      segments: packSegments(p.segments),
    };
    if (!this.writeUnsealed(p.id, text)) {
      const values = [
        p.firstSeen,
        p.lastSeen,
        p.eventCount,
        this.pii.sealTraits(p.id, p.traits),
        this.pii.sealComputed(p.id, p.computed),
        text.recentEvents,
        text.trails,
        text.segments,
        p.id,
      ];
      if (this.update.run(...values).changes === 0) this.insert.run(...values);
    }
    this.texts?.set(p.id, text);
  }

  /** Forgets the cached profiles: the transaction that saved some of them rolled back. */
  discardCache(): void {
    this.texts?.clear();
  }

  /**
   * Writes all but the encrypted columns when traits and computed values are as stored
   * (known only for a cached profile). False when the full row must be written.
   */
  private writeUnsealed(id: string, text: ProfileText): boolean {
    const stored = this.texts?.peek(id);
    if (stored === undefined || stored.traits !== text.traits) return false;
    if (stored.computed !== text.computed) return false;
    const { firstSeen, lastSeen, eventCount, recentEvents, trails, segments } = text;
    const args = [firstSeen, lastSeen, eventCount, recentEvents, trails, segments, id];
    return this.updateActivity.run(...args).changes === 1;
  }

  remove(id: string): void {
    this.delete.run(id);
    this.texts?.delete(id);
  }

  appendTimeline(profileId: string, offsets: readonly number[]): void {
    const first = offsets[0];
    const last = offsets[offsets.length - 1];
    if (first === undefined || last === undefined) return;
    this.insertChunk.run(profileId, last, first, JSON.stringify(offsets));
  }

  moveEvents(fromId: string, toId: string): void {
    this.moveChunks.run(toId, fromId);
  }

  eventOffsets(profileId: string, beforeOffset: number, limit: number): number[] {
    const recent =
      this.texts?.peek(profileId)?.recentEvents ??
      (this.recentOf.get(profileId) as string | undefined);
    if (recent === undefined) return [];
    const found = (JSON.parse(recent) as number[]).filter((o) => o < beforeOffset);
    // Chunks newest first; after merges their ranges may interleave, so stop only when a
    // chunk's newest offset is below the `limit`-th newest found so far.
    for (const chunk of this.chunksBelow.iterate(profileId, beforeOffset) as Iterable<ChunkRow>) {
      if (found.length >= limit) {
        found.sort(newestFirst);
        found.length = limit;
        if (chunk.last_offset < (found[limit - 1] as number)) break;
      }
      for (const offset of JSON.parse(chunk.offsets) as number[]) {
        if (offset < beforeOffset) found.push(offset);
      }
    }
    found.sort(newestFirst);
    return found.slice(0, limit);
  }

  chunkOffsets(profileId: string): number[] {
    const chunks = this.chunksOf.all(profileId) as string[];
    return chunks.flatMap((c) => JSON.parse(c) as number[]).sort((a, b) => a - b);
  }

  idsAfter(afterId: string, limit: number): string[] {
    return this.db
      .prepare('SELECT id FROM profiles WHERE id > ? ORDER BY id LIMIT ?')
      .pluck()
      .all(afterId, limit) as string[];
  }

  computedAfter(afterId: string, limit: number): { id: string; computed: ComputedData }[] {
    const rows = this.db
      .prepare('SELECT id, computed FROM profiles WHERE id > ? ORDER BY id LIMIT ?')
      .raw()
      .all(afterId, limit) as [string, string][];
    return rows.map(([id, computed]) => ({ id, computed: this.pii.open<ComputedData>(computed) }));
  }

  count(): number {
    return this.db.prepare('SELECT count(*) FROM profiles').pluck().get() as number;
  }

  findByTrait(trait: string, value: string, afterId: string, limit: number): ProfileData[] {
    if (this.pii.isPiiTrait(trait)) return this.scanByTrait(trait, value, afterId, limit);
    // Compared as text so `?trait.age=42` finds 42 and "42"; no index yet (scan by id).
    const rows = this.db
      .prepare(
        `SELECT * FROM profiles WHERE id > ? AND CAST(json_extract(traits, '$.values.' || json_quote(?)) AS TEXT) = ?
         ORDER BY id LIMIT ?`,
      )
      .all(afterId, trait, value, limit) as ProfileRow[];
    return rows.map((row) => toProfile(row, this.pii));
  }

  /**
   * A PII trait is stored encrypted: profiles are decrypted and compared here, a page at a
   * time (a scan; look people up by email or phone through their identifiers instead).
   */
  private scanByTrait(trait: string, value: string, afterId: string, limit: number) {
    const page = this.db.prepare('SELECT * FROM profiles WHERE id > ? ORDER BY id LIMIT 500');
    const found: ProfileData[] = [];
    for (let after = afterId; found.length < limit;) {
      const rows = page.all(after) as ProfileRow[];
      for (const row of rows) {
        const profile = toProfile(row, this.pii);
        const held = profile.traits.values[trait];
        // As the SQL comparison: scalars as text (objects and arrays never equal a query value).
        const text =
          typeof held === 'string' || typeof held === 'number' || typeof held === 'boolean'
            ? String(held)
            : undefined;
        if (text === value) found.push(profile);
        if (found.length === limit) break;
      }
      if (rows.length < 500) break;
      after = (rows[rows.length - 1] as ProfileRow).id;
    }
    return found;
  }
}

const newestFirst = (a: number, b: number): number => b - a;

function fromText(id: string, text: ProfileText): ProfileData {
  return {
    id,
    firstSeen: text.firstSeen,
    lastSeen: text.lastSeen,
    eventCount: text.eventCount,
    traits: JSON.parse(text.traits) as TraitState,
    computed: JSON.parse(text.computed) as ComputedData,
    recentEvents: JSON.parse(text.recentEvents) as number[],
    trails: unpackTrails(JSON.parse(text.trails) as Record<string, number[]>),
    segments: unpackSegments(JSON.parse(text.segments) as PackedSegments),
  };
}

function toProfile(row: ProfileRow, pii: ProfilePii): ProfileData {
  return {
    id: row.id,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    eventCount: row.event_count,
    traits: pii.open<TraitState>(row.traits),
    computed: pii.open<ProfileData['computed']>(row.computed),
    recentEvents: JSON.parse(row.recent_events) as number[],
    trails: unpackTrails(JSON.parse(row.trails) as Record<string, number[]>),
    segments: unpackSegments(JSON.parse(row.segments) as PackedSegments),
  };
}

/** A number as JSON writes it (a non-finite one as null). */
const num = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/**
 * Trails as JSON `{ key: [count, first, last, ...recent] }` (null times as 0: a trail with
 * none has count 0). Written out directly: every save packs them, and building the arrays
 * to stringify them cost twice as much.
 */
function packTrails(trails: ProfileData['trails']): string {
  let out = '';
  for (const key of Object.keys(trails)) {
    const t = trails[key] as ProfileData['trails'][string];
    // An empty trail is stored as none: a missing trail reads as empty.
    if (t.count === 0) continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(key)}:[${num(t.count)},${num(t.first ?? 0)},${num(t.last ?? 0)}`;
    for (const time of t.recent) out += `,${num(time)}`;
    out += ']';
  }
  return `{${out}}`;
}

function unpackTrails(packed: Record<string, number[]>): ProfileData['trails'] {
  const trails: ProfileData['trails'] = keyedRecord();
  for (const [key, [count = 0, first = 0, last = 0, ...recent]] of Object.entries(packed)) {
    trails[key] =
      count === 0 ? { count, first: null, last: null, recent } : { count, first, last, recent };
  }
  return trails;
}

interface PackedSegments {
  /** segment id → [version, since] */
  m: Record<string, [number, number]>;
  t: number | null;
  s?: string;
  r?: string[];
}

/** The segment state as JSON PackedSegments, written out directly (see packTrails). */
function packSegments(s: ProfileData['segments']): string {
  let members = '';
  for (const id of Object.keys(s.members)) {
    const v = s.members[id] as ProfileData['segments']['members'][string];
    members += `${members === '' ? '' : ','}${JSON.stringify(id)}:[${num(v.version)},${num(v.since)}]`;
  }
  let out = `{"m":{${members}},"t":${s.timer === null ? 'null' : num(s.timer)}`;
  if (s.stage !== undefined) out += `,"s":${JSON.stringify(s.stage)}`;
  if (s.rebuild !== undefined) out += `,"r":${JSON.stringify(s.rebuild)}`;
  return `${out}}`;
}

/** The memberships in a profile row's `segments` column. */
export function membershipsOfPacked(text: string): ProfileData['segments']['members'] {
  return unpackSegments(JSON.parse(text) as PackedSegments).members;
}

function unpackSegments(p: PackedSegments | Record<string, never>): ProfileData['segments'] {
  if (!('m' in p)) return { members: keyedRecord(), timer: null };
  const members: ProfileData['segments']['members'] = keyedRecord();
  for (const [id, [version, since]] of Object.entries(p.m)) members[id] = { version, since };
  return {
    members,
    timer: p.t,
    ...(p.s === undefined ? {} : { stage: p.s }),
    ...(p.r === undefined ? {} : { rebuild: p.r }),
  };
}
