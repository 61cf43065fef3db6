import type { Activity, ComputedState, EventTrail, TraitState } from '@attune/engine';

/** What the processor keeps to compute traits: activity per event name and aggregates. */
export interface ComputedData {
  activity: Activity;
  aggregates: ComputedState;
}

export interface ProfileData {
  id: string;
  firstSeen: number;
  lastSeen: number;
  eventCount: number;
  traits: TraitState;
  computed: ComputedData;
  /** The newest event offsets, ascending, not yet moved to a timeline chunk. */
  recentEvents: number[];
  /** Event trails the segments' conditions read, by trail key. */
  trails: Record<string, EventTrail>;
  segments: ProfileSegments;
}

export interface ProfileSegments {
  /** Current memberships: segment id → the version entered and when (epoch ms). */
  members: Record<string, { version: number; since: number }>;
  /** The durable timer set for this profile (the earliest time-driven change), if any. */
  timer: number | null;
  /** The journey-map stage (absent: none yet). */
  stage?: string;
  /**
   * Trail keys to rebuild from the whole timeline before this profile is evaluated again
   * (a merge joined a backfilled profile with one not yet backfilled); its timer is due.
   */
  rebuild?: string[];
}

/**
 * An empty record for a profile's trails or memberships, keyed by trail key or segment id.
 * Null-prototype: V8 keeps it as a hash table from the start. A plain `{}` gains a hidden
 * class per key it is given, in the order given, so 100k profiles in 100 segments made
 * hundreds of thousands of them; building and reading the records cost about four times
 * as much (measured on a backfill). No prototype also means no `__proto__` key trap.
 */
export function keyedRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** How many offsets a profile gathers before they move to a timeline chunk. */
export const timelineChunkSize = 32;

/** Profile data and each profile's event timeline (offsets into the log). */
export interface ProfileStore {
  load(id: string): ProfileData | undefined;
  save(profile: ProfileData): void;
  remove(id: string): void;
  /** Forgets profiles kept in memory: the transaction that saved them rolled back. */
  discardCache(): void;
  /** Stores a chunk of the profile's timeline (ascending offsets). */
  appendTimeline(profileId: string, offsets: readonly number[]): void;
  /** Moves a merged profile's timeline to the survivor. */
  moveEvents(fromId: string, toId: string): void;
  /** Offsets in the profile's stored timeline chunks (not its recent ones), ascending. */
  chunkOffsets(profileId: string): number[];
  /** Offsets of the profile's events (chunks and recent ones), newest first, below `beforeOffset`. */
  eventOffsets(profileId: string, beforeOffset: number, limit: number): number[];
  /** Ids of (surviving) profiles after `afterId`, in id order. */
  idsAfter(afterId: string, limit: number): string[];
  /** Ids and computed data of profiles after `afterId`, in id order: a light full scan. */
  computedAfter(afterId: string, limit: number): { id: string; computed: ComputedData }[];
  count(): number;
  /** Surviving profiles whose trait equals the value, by id after `afterId`. */
  findByTrait(trait: string, value: string, afterId: string, limit: number): ProfileData[];
}
