import type {
  MembershipChangeRecord,
  ProfileMembershipRecord,
  SegmentMemberRecord,
  SegmentMembersStore,
  SegmentStatusRecord,
} from '../../modules/segments/segment-members.store.js';
import { isStageSegmentId } from '../../modules/segments/segment-index.js';
import type { SqliteDatabase } from './open-database.js';
import { membershipsOfPacked } from './profile-store.sqlite.js';

const hourMs = 3_600_000;

interface StatusRow {
  segment_id: string;
  version: number;
  state: 'backfilling' | 'ready';
  profiles_done: number;
  profiles_total: number;
  started_at: number;
  ready_at: number | null;
}

interface ChangeRow {
  seq: number;
  segment_id: string;
  version: number;
  entered: number;
  at: number;
  event_offset: number | null;
}

/** Reads the memberships the processor keeps in state.db; never writes. */
export class SqliteSegmentMembersStore implements SegmentMembersStore {
  private readonly selectStatus;
  private readonly countMembers;
  private readonly selectMembers;
  private readonly selectSegmentsOf;
  private readonly selectChangesOf;
  private readonly sizeBefore;
  private readonly deltasByBucket;

  constructor(db: SqliteDatabase) {
    this.selectStatus = db.prepare(
      `SELECT segment_id, version, state, profiles_done, profiles_total, started_at, ready_at
       FROM segment_status WHERE segment_id = ?`,
    );
    this.countMembers = db
      .prepare('SELECT members FROM segment_status WHERE segment_id = ?')
      .pluck();
    this.selectMembers = db.prepare(
      `SELECT profile_id AS profileId, version, since FROM segment_members
       WHERE segment_id = ? AND profile_id > ? ORDER BY profile_id LIMIT ?`,
    );
    // The profile's row holds its memberships (stages too, which are not segments).
    this.selectSegmentsOf = db.prepare('SELECT segments FROM profiles WHERE id = ?').pluck();
    this.selectChangesOf = db.prepare(
      `SELECT seq, segment_id, version, entered, at, event_offset FROM segment_changes
       WHERE profile_id = ? ORDER BY seq DESC LIMIT ?`,
    );
    this.sizeBefore = db
      .prepare(
        'SELECT coalesce(sum(delta), 0) FROM segment_size_deltas WHERE segment_id = ? AND hour < ?',
      )
      .pluck();
    // The bucket each hour falls in (CAST: bound numbers may arrive as reals).
    this.deltasByBucket = db
      .prepare(
        `SELECT CAST((hour - @from) / @width AS INTEGER) AS bucket, sum(delta) AS delta
         FROM segment_size_deltas WHERE segment_id = @segmentId AND hour >= @from AND hour < @to
         GROUP BY bucket`,
      )
      .raw();
  }

  status(segmentId: string): SegmentStatusRecord | undefined {
    const row = this.selectStatus.get(segmentId) as StatusRow | undefined;
    if (row === undefined) return undefined;
    return {
      segmentId: row.segment_id,
      version: row.version,
      state: row.state,
      profilesDone: row.profiles_done,
      profilesTotal: row.profiles_total,
      startedAt: row.started_at,
      readyAt: row.ready_at,
    };
  }

  size(segmentId: string): number {
    return (this.countMembers.get(segmentId) as number | undefined) ?? 0;
  }

  members(segmentId: string, afterProfileId: string, limit: number): SegmentMemberRecord[] {
    return this.selectMembers.all(segmentId, afterProfileId, limit) as SegmentMemberRecord[];
  }

  segmentsOf(profileId: string): ProfileMembershipRecord[] {
    const packed = this.selectSegmentsOf.get(profileId) as string | undefined;
    if (packed === undefined) return [];
    return Object.entries(membershipsOfPacked(packed))
      .filter(([segmentId]) => !isStageSegmentId(segmentId))
      .map(([segmentId, m]) => ({ segmentId, version: m.version, since: m.since }))
      .sort((a, b) => (a.segmentId < b.segmentId ? -1 : a.segmentId > b.segmentId ? 1 : 0));
  }

  changesOf(profileId: string, limit: number): MembershipChangeRecord[] {
    return (this.selectChangesOf.all(profileId, limit) as ChangeRow[]).map((row) => ({
      seq: row.seq,
      segmentId: row.segment_id,
      version: row.version,
      entered: row.entered === 1,
      at: row.at,
      eventOffset: row.event_offset,
    }));
  }

  sizeHistory(segmentId: string, from: number, width: number, buckets: number): number[] {
    if (from % hourMs !== 0 || width % hourMs !== 0 || width <= 0)
      throw new RangeError('size history buckets are whole hours');
    const fromHour = from / hourMs;
    const widthHours = width / hourMs;
    const sizes = new Array<number>(buckets).fill(0);
    const rows = this.deltasByBucket.all({
      segmentId,
      from: fromHour,
      width: widthHours,
      to: fromHour + widthHours * buckets,
    }) as [number, number][];
    for (const [bucket, delta] of rows) sizes[bucket] = delta;
    let size = this.sizeBefore.get(segmentId, fromHour) as number;
    for (let i = 0; i < buckets; i++) {
      size += sizes[i] as number;
      sizes[i] = size;
    }
    return sizes;
  }
}
