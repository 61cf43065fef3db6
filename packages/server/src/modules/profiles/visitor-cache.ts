import { RecencyCache } from '@attune/engine';
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
  /** Entries by profile id (approximately LRU). */
  private readonly profiles: RecencyCache<string, Entry>;
  /** Visitor id → profile id. May name a profile dropped since; `find` then forgets it. */
  private readonly owners = new Map<string, string>();
  private hitCount = 0;
  private missCount = 0;

  constructor(
    /** Most profiles kept (at least 2). */
    readonly capacity: number,
  ) {
    this.profiles = new RecencyCache(capacity);
  }

  get size(): number {
    return this.profiles.size;
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
      const entry = this.profiles.get(profileId);
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
      const entry = this.profiles.peek(id);
      if (entry === undefined) continue;
      for (const key of entry.keys) this.owners.delete(key);
      this.profiles.delete(id);
    }
  }

  private keep(key: string, profile: ProfileData): void {
    // Ids of profiles dropped with a generation stay until looked up: past a bound, keep
    // only the ids of profiles still here (a pass over them, rarely).
    if (this.owners.size >= 4 * this.capacity) this.pruneOwners();
    const entry = this.profiles.get(profile.id);
    if (entry === undefined) this.profiles.set(profile.id, { profile, keys: [key] });
    else {
      // Read again (another id of the same person, or after `forget` of an id's entry only).
      entry.profile = profile;
      if (!entry.keys.includes(key)) entry.keys.push(key);
    }
    this.owners.set(key, profile.id);
  }

  private pruneOwners(): void {
    this.owners.clear();
    for (const [profileId, entry] of this.profiles.entries())
      for (const key of entry.keys) this.owners.set(key, profileId);
  }
}
