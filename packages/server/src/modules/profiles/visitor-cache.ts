import type { ProfileData } from './profile.store.js';

/** How a visitor names themself on a decide request. */
export type VisitorIdType = 'user_id' | 'anonymous_id';

/** Looks a visitor's profile up in the stores (identity, then profile). */
export type IdentifiedLookup = (type: VisitorIdType, value: string) => ProfileData | undefined;

interface Entry {
  profile: ProfileData;
  /** The visitor ids (`type\0value`) that led here, to forget with the profile. */
  keys: string[];
}

/**
 * The profiles of recent visitors, so that a page's repeated decides skip the identity
 * lookup, the profile read and its decryption. Entries are read-only: callers must not
 * change a profile they get.
 *
 * Correct only while something calls `forget` for every profile the processor changes (in
 * a way a decision could see) right after it commits: the processor thread's `committed`
 * messages do. Without such a feed (the processor off) nothing may be cached.
 *
 * A visitor id that has no profile is not kept: it would need telling when one appears.
 */
export class VisitorCache {
  /** Two generations: when the young one fills, the old one is dropped (approximately LRU). */
  private young = new Map<string, Entry>();
  private old = new Map<string, Entry>();
  /** Visitor id → profile id. May name a profile dropped since; `get` then forgets it. */
  private readonly owners = new Map<string, string>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    /** Most profiles kept. */
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2)
      throw new RangeError(
        `visitor cache capacity must be an integer of at least 2, got ${capacity}`,
      );
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  get hits(): number {
    return this.hitCount;
  }

  get misses(): number {
    return this.missCount;
  }

  /** The profile of a visitor id, from memory or else from `lookup` (then kept). */
  find(type: VisitorIdType, value: string, lookup: IdentifiedLookup): ProfileData | undefined {
    const key = `${type}\u0000${value}`;
    const profileId = this.owners.get(key);
    if (profileId !== undefined) {
      const entry = this.entry(profileId);
      if (entry !== undefined) {
        this.hitCount++;
        return entry.profile;
      }
      this.owners.delete(key);
    }
    this.missCount++;
    const profile = lookup(type, value);
    if (profile !== undefined) this.keep(key, profile);
    return profile;
  }

  /** Drops these profiles (changed, merged away or erased); their next visit reads them again. */
  forget(profileIds: Iterable<string>): void {
    for (const id of profileIds) {
      const entry = this.young.get(id) ?? this.old.get(id);
      if (entry === undefined) continue;
      for (const key of entry.keys) this.owners.delete(key);
      this.young.delete(id);
      this.old.delete(id);
    }
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
    this.owners.clear();
  }

  private entry(profileId: string): Entry | undefined {
    const young = this.young.get(profileId);
    if (young !== undefined) return young;
    const old = this.old.get(profileId);
    if (old !== undefined) {
      this.old.delete(profileId);
      this.store(profileId, old);
    }
    return old;
  }

  private keep(key: string, profile: ProfileData): void {
    // Ids of profiles dropped with a generation stay until looked up: past a bound, keep
    // only the ids of profiles still here (a pass over them, rarely).
    if (this.owners.size >= 4 * this.capacity) this.pruneOwners();
    const entry = this.entry(profile.id);
    if (entry === undefined) this.store(profile.id, { profile, keys: [key] });
    else {
      // Read again (another id of the same person, or after `forget` of an id's entry only).
      entry.profile = profile;
      if (!entry.keys.includes(key)) entry.keys.push(key);
    }
    this.owners.set(key, profile.id);
  }

  private pruneOwners(): void {
    this.owners.clear();
    for (const generation of [this.old, this.young])
      for (const [profileId, entry] of generation)
        for (const key of entry.keys) this.owners.set(key, profileId);
  }

  private store(profileId: string, entry: Entry): void {
    this.young.set(profileId, entry);
    if (this.young.size >= Math.max(1, Math.floor(this.capacity / 2))) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
