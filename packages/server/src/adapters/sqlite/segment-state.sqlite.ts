import type {
  MembershipChange,
  SegmentStateStore,
  SegmentStatusRow,
  StageChange,
  TrailKeyState,
} from '../../modules/segments/segment-state.store.js';
import { BatchedInsert } from './batched-insert.js';
import type { SqliteDatabase } from './open-database.js';

const hourMs = 3_600_000;

interface StatusRow {
  segment_id: string;
  version: number;
  state: 'backfilling' | 'ready';
  active_from_offset: number;
  backfill_after_profile: string;
  profiles_done: number;
  profiles_total: number;
  started_at: number;
  ready_at: number | null;
  computed_epoch: string;
}

export class SqliteSegmentStateStore implements SegmentStateStore {
  private readonly insertChanges;
  private readonly addMembers;
  private readonly removeMember;
  private readonly upsertTimer;
  private readonly deleteTimer;
  private readonly due;
  private readonly insertStageChange;
  private readonly deleteStage;
  private readonly upsertStage;
  private readonly addToSize;
  private readonly addToSizeHistory;
  private readonly upsertStatus;

  constructor(private readonly db: SqliteDatabase) {
    // A backfill records millions of changes, ten thousand per transaction: many rows per
    // statement.
    this.insertChanges = new BatchedInsert(
      db,
      'INSERT INTO segment_changes (segment_id, version, profile_id, entered, at, event_offset) VALUES',
      6,
    );
    this.addMembers = new BatchedInsert(
      db,
      'INSERT INTO segment_members (segment_id, profile_id, version, since) VALUES',
      4,
      'ON CONFLICT (segment_id, profile_id) DO UPDATE SET version = excluded.version, since = excluded.since',
    );
    this.removeMember = db.prepare(
      'DELETE FROM segment_members WHERE segment_id = ? AND profile_id = ?',
    );
    this.upsertTimer = db.prepare(
      `INSERT INTO segment_timers (profile_id, due_at) VALUES (?, ?)
       ON CONFLICT (profile_id) DO UPDATE SET due_at = excluded.due_at`,
    );
    this.addToSize = db.prepare(
      'UPDATE segment_status SET members = members + ? WHERE segment_id = ?',
    );
    this.addToSizeHistory = db.prepare(
      `INSERT INTO segment_size_deltas (segment_id, hour, delta) VALUES (?, ?, ?)
       ON CONFLICT (segment_id, hour) DO UPDATE SET delta = delta + excluded.delta`,
    );
    // Saved for every segment of a backfill after each chunk: prepared once.
    this.upsertStatus = db.prepare(
      `INSERT INTO segment_status (segment_id, version, state, active_from_offset,
           backfill_after_profile, profiles_done, profiles_total, started_at, ready_at, computed_epoch)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (segment_id) DO UPDATE SET version = excluded.version, state = excluded.state,
           active_from_offset = excluded.active_from_offset,
           backfill_after_profile = excluded.backfill_after_profile,
           profiles_done = excluded.profiles_done, profiles_total = excluded.profiles_total,
           started_at = excluded.started_at, ready_at = excluded.ready_at,
           computed_epoch = excluded.computed_epoch`,
    );
    this.deleteTimer = db.prepare('DELETE FROM segment_timers WHERE profile_id = ?');
    this.insertStageChange = db.prepare(
      'INSERT INTO stage_changes (profile_id, from_stage, to_stage, at, event_offset) VALUES (?, ?, ?, ?, ?)',
    );
    this.deleteStage = db.prepare('DELETE FROM profile_stages WHERE profile_id = ?');
    this.upsertStage = db.prepare(
      `INSERT INTO profile_stages (profile_id, stage, since) VALUES (?, ?, ?)
       ON CONFLICT (profile_id) DO UPDATE SET stage = excluded.stage, since = excluded.since`,
    );
    this.due = db
      .prepare('SELECT profile_id FROM segment_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?')
      .pluck();
  }

  statuses(): SegmentStatusRow[] {
    const rows = this.db.prepare('SELECT * FROM segment_status').all() as StatusRow[];
    return rows.map((r) => ({
      segmentId: r.segment_id,
      version: r.version,
      state: r.state,
      activeFromOffset: r.active_from_offset,
      backfillAfterProfile: r.backfill_after_profile,
      profilesDone: r.profiles_done,
      profilesTotal: r.profiles_total,
      startedAt: r.started_at,
      readyAt: r.ready_at,
      computedEpoch: r.computed_epoch,
    }));
  }

  saveStatus(s: SegmentStatusRow): void {
    this.upsertStatus.run(
      s.segmentId,
      s.version,
      s.state,
      s.activeFromOffset,
      s.backfillAfterProfile,
      s.profilesDone,
      s.profilesTotal,
      s.startedAt,
      s.readyAt,
      s.computedEpoch,
    );
  }

  deleteStatus(segmentId: string): void {
    this.db.prepare('DELETE FROM segment_status WHERE segment_id = ?').run(segmentId);
  }

  trailKeys(): Map<string, TrailKeyState> {
    const rows = this.db
      .prepare('SELECT key, live_after_offset, keep FROM segment_trail_keys')
      .raw()
      .all() as [string, number, number][];
    return new Map(rows.map(([key, liveAfterOffset, keep]) => [key, { liveAfterOffset, keep }]));
  }

  saveTrailKey(key: string, state: TrailKeyState): void {
    this.db
      .prepare(
        `INSERT INTO segment_trail_keys (key, live_after_offset, keep) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET live_after_offset = excluded.live_after_offset, keep = excluded.keep`,
      )
      .run(key, state.liveAfterOffset, state.keep);
  }

  recordChanges(changes: readonly MembershipChange[]): void {
    // A backfill records ten thousand changes per transaction: one pass, no per-change keys.
    const count = changes.length;
    const rows = new Array<unknown>(count * 6);
    const order = new Array<number>(count);
    const deltas = new Map<string, { total: number; hours: Map<number, number> }>();
    for (let i = 0; i < count; i++) {
      const c = changes[i] as MembershipChange;
      const at = i * 6;
      rows[at] = c.segmentId;
      rows[at + 1] = c.version;
      rows[at + 2] = c.profileId;
      rows[at + 3] = c.entered ? 1 : 0;
      rows[at + 4] = c.at;
      rows[at + 5] = c.eventOffset;
      order[i] = i;
      let sums = deltas.get(c.segmentId);
      if (sums === undefined) deltas.set(c.segmentId, (sums = { total: 0, hours: new Map() }));
      const delta = c.entered ? 1 : -1;
      sums.total += delta;
      const hour = Math.floor(c.at / hourMs);
      sums.hours.set(hour, (sums.hours.get(hour) ?? 0) + delta);
    }
    this.insertChanges.run(rows);
    // The members table takes each profile's last change only, in key order: neighbouring
    // rows share B-tree pages, so a big batch dirties fewer of them.
    order.sort((a, b) => compareMemberKeys(changes[a], changes[b]) || a - b);
    const members: unknown[] = [];
    for (let k = 0; k < count; k++) {
      const c = changes[order[k] as number] as MembershipChange;
      const next = changes[order[k + 1] ?? -1];
      if (next !== undefined && compareMemberKeys(c, next) === 0) continue;
      if (c.entered) members.push(c.segmentId, c.profileId, c.version, c.at);
      else this.removeMember.run(c.segmentId, c.profileId);
    }
    this.addMembers.run(members);
    for (const [segmentId, { total, hours }] of deltas) {
      if (total !== 0) this.addToSize.run(total, segmentId);
      for (const [hour, delta] of hours) {
        if (delta !== 0) this.addToSizeHistory.run(segmentId, hour, delta);
      }
    }
  }

  memberIds(segmentId: string): string[] {
    return this.db
      .prepare('SELECT profile_id FROM segment_members WHERE segment_id = ?')
      .pluck()
      .all(segmentId) as string[];
  }

  setTimer(profileId: string, dueAt: number | null): void {
    if (dueAt === null) this.deleteTimer.run(profileId);
    else this.upsertTimer.run(profileId, dueAt);
  }

  dueTimers(now: number, limit: number): string[] {
    return this.due.all(now, limit) as string[];
  }

  recordStageChange(c: StageChange): void {
    this.insertStageChange.run(c.profileId, c.from, c.to, c.at, c.eventOffset);
    if (c.to === null) this.deleteStage.run(c.profileId);
    else this.upsertStage.run(c.profileId, c.to, c.at);
  }
}

type MemberKey = Pick<MembershipChange, 'segmentId' | 'profileId'>;

function compareMemberKeys(a: MemberKey | undefined, b: MemberKey | undefined): number {
  const x = a as MemberKey;
  const y = b as MemberKey;
  if (x.segmentId !== y.segmentId) return x.segmentId < y.segmentId ? -1 : 1;
  if (x.profileId !== y.profileId) return x.profileId < y.profileId ? -1 : 1;
  return 0;
}
