/** How far the processor has come with a segment's definition. */
export interface SegmentStatusRecord {
  segmentId: string;
  /** The definition version the processor evaluates. */
  version: number;
  state: 'backfilling' | 'ready';
  profilesDone: number;
  profilesTotal: number;
  startedAt: number;
  readyAt: number | null;
}

export interface SegmentMemberRecord {
  profileId: string;
  version: number;
  since: number;
}

export interface ProfileMembershipRecord {
  segmentId: string;
  version: number;
  since: number;
}

export interface MembershipChangeRecord {
  seq: number;
  segmentId: string;
  version: number;
  entered: boolean;
  at: number;
  eventOffset: number | null;
}

/**
 * Memberships as the processor computed them (state.db). Read-only: the processor thread is
 * the only writer.
 */
export interface SegmentMembersStore {
  /** Undefined until the processor has seen the segment. */
  status(segmentId: string): SegmentStatusRecord | undefined;
  /** How many profiles are members now. */
  size(segmentId: string): number;
  /** Members by profile id, those after `afterProfileId` ('' for the first page). */
  members(segmentId: string, afterProfileId: string, limit: number): SegmentMemberRecord[];
  /** The segments a profile is a member of, by segment id. */
  segmentsOf(profileId: string): ProfileMembershipRecord[];
  /** A profile's entries and exits, newest first. */
  changesOf(profileId: string, limit: number): MembershipChangeRecord[];
  /**
   * The segment's size at the end of each of `buckets` consecutive buckets of `width` ms
   * starting at `from`: entries minus exits recorded before the bucket's end. Sizes are
   * kept per hour, so `from` and `width` are whole UTC hours.
   */
  sizeHistory(segmentId: string, from: number, width: number, buckets: number): number[];
}
