import type { Activity, ComputedState, TraitState } from '@attune/engine';

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
}

/** How many offsets a profile gathers before they move to a timeline chunk. */
export const timelineChunkSize = 32;

/** Profile data and each profile's event timeline (offsets into the log). */
export interface ProfileStore {
  load(id: string): ProfileData | undefined;
  save(profile: ProfileData): void;
  remove(id: string): void;
  /** Stores a chunk of the profile's timeline (ascending offsets). */
  appendTimeline(profileId: string, offsets: readonly number[]): void;
  /** Moves a merged profile's timeline to the survivor. */
  moveEvents(fromId: string, toId: string): void;
  /** Offsets of the profile's events (chunks and recent ones), newest first, below `beforeOffset`. */
  eventOffsets(profileId: string, beforeOffset: number, limit: number): number[];
  /** Surviving profiles whose trait equals the value, by id after `afterId`. */
  findByTrait(trait: string, value: string, afterId: string, limit: number): ProfileData[];
}
