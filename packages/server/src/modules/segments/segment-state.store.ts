/** One active definition, as the processor reads it from the definitions (attune.db). */
export interface ActiveDefinition {
  id: string;
  version: number;
  condition: unknown;
  /** Set for a journey-map stage (kept like a segment, but internal: no members table, no events). */
  stage?: { name: string; rank: number };
}

export interface TrailKeyState {
  liveAfterOffset: number;
  keep: number;
}

export interface StageChange {
  profileId: string;
  from: string | null;
  to: string | null;
  at: number;
  eventOffset: number | null;
}

export interface SegmentStatusRow {
  segmentId: string;
  version: number;
  state: 'backfilling' | 'ready';
  /** Events up to this offset reach the segment through its backfill; later ones live. */
  activeFromOffset: number;
  /** The backfill has done the profiles up to this id (in id order). */
  backfillAfterProfile: string;
  profilesDone: number;
  profilesTotal: number;
  startedAt: number;
  readyAt: number | null;
  /**
   * For a segment that reads computed values: the RFM snapshot version and UTC day
   * (`<version>/<day>`) it was evaluated over every profile with; '' for others.
   */
  computedEpoch: string;
}

export interface MembershipChange {
  segmentId: string;
  version: number;
  profileId: string;
  entered: boolean;
  at: number;
  /** The event that caused it; null for timers, backfills and definition changes. */
  eventOffset: number | null;
}

/** The processor's segment state in state.db (derived: rebuilt by replay). */
export interface SegmentStateStore {
  statuses(): SegmentStatusRow[];
  saveStatus(status: SegmentStatusRow): void;
  deleteStatus(segmentId: string): void;
  /**
   * Trail key → the offset after which the live path has folded events into it, and how
   * many latest times it keeps.
   */
  trailKeys(): Map<string, TrailKeyState>;
  saveTrailKey(key: string, state: TrailKeyState): void;
  /**
   * Records entries and exits in the order given (membership history), and applies them to
   * the members table and the segments' member counts.
   */
  recordChanges(changes: readonly MembershipChange[]): void;
  /** Profiles holding the segment (for a deleted definition). */
  memberIds(segmentId: string): string[];
  setTimer(profileId: string, dueAt: number | null): void;
  /** Profiles whose timer is due at `now`, earliest first. */
  dueTimers(now: number, limit: number): string[];
  recordStageChange(change: StageChange): void;
}
