import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from './open-database.js';
import type { ProfileData } from '../../modules/profiles/profile.store.js';
import { SqliteProfileStore } from './profile-store.sqlite.js';
import { SqliteSegmentMembersStore } from './segment-members.sqlite.js';
import { SqliteSegmentStateStore } from './segment-state.sqlite.js';
import { testCipher } from '../../testing/test-cipher.js';

let dir: string;
let db: SqliteDatabase;
let store: SqliteSegmentMembersStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attune-members-'));
  db = openDatabase(join(dir, 'state.db'), { schema: 'state' });
  store = new SqliteSegmentMembersStore(db);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

// The processor writes these tables (members, the count on the status, the profile's row);
// the test writes them as it would.
const addMember = (segmentId: string, profileId: string, since: number, version = 1) => {
  db.prepare(
    'INSERT INTO segment_members (segment_id, profile_id, version, since) VALUES (?, ?, ?, ?)',
  ).run(segmentId, profileId, version, since);
  db.prepare('UPDATE segment_status SET members = members + 1 WHERE segment_id = ?').run(segmentId);
  const profiles = new SqliteProfileStore(db, testCipher());
  const profile = profiles.load(profileId) ?? emptyProfile(profileId);
  profile.segments.members[segmentId] = { version, since };
  profiles.save(profile);
};
/** Through the processor's write path, which also keeps the hourly size deltas. */
const addChange = (segmentId: string, profileId: string, entered: boolean, at: number) =>
  new SqliteSegmentStateStore(db).recordChanges([
    { segmentId, version: 1, profileId, entered, at, eventOffset: entered ? at * 10 : null },
  ]);
const saveStatus = (segmentId: string) =>
  new SqliteSegmentStateStore(db).saveStatus({
    segmentId,
    version: 1,
    state: 'ready',
    activeFromOffset: 0,
    backfillAfterProfile: '',
    profilesDone: 0,
    profilesTotal: 0,
    startedAt: 0,
    readyAt: 0,
    computedEpoch: '',
  });

function emptyProfile(id: string): ProfileData {
  return {
    id,
    firstSeen: 1,
    lastSeen: 1,
    eventCount: 1,
    traits: { values: {}, times: {} },
    computed: { activity: {}, aggregates: {} },
    recentEvents: [],
    trails: {},
    segments: { members: {}, timer: null },
  };
}

describe('the segment members store', () => {
  it('reads the status the processor keeps, undefined before it has seen the segment', () => {
    expect(store.status('vip')).toBeUndefined();
    db.prepare(
      `INSERT INTO segment_status (segment_id, version, state, active_from_offset, profiles_done,
         profiles_total, started_at) VALUES ('vip', 2, 'backfilling', 40, 3, 10, 1000)`,
    ).run();
    expect(store.status('vip')).toEqual({
      segmentId: 'vip',
      version: 2,
      state: 'backfilling',
      profilesDone: 3,
      profilesTotal: 10,
      startedAt: 1000,
      readyAt: null,
    });
  });

  it('counts and pages the members of a segment by profile id', () => {
    saveStatus('vip');
    saveStatus('other');
    for (const id of ['p_3', 'p_1', 'p_5', 'p_2', 'p_4']) addMember('vip', id, 7);
    addMember('other', 'p_0', 8);
    expect(store.size('vip')).toBe(5);
    expect(store.size('none')).toBe(0);
    expect(store.members('vip', '', 2).map((m) => m.profileId)).toEqual(['p_1', 'p_2']);
    expect(store.members('vip', 'p_2', 10)).toEqual([
      { profileId: 'p_3', version: 1, since: 7 },
      { profileId: 'p_4', version: 1, since: 7 },
      { profileId: 'p_5', version: 1, since: 7 },
    ]);
  });

  it("reads a profile's segments and its changes, newest first", () => {
    addMember('vip', 'p_1', 5, 2);
    addMember('buyers', 'p_1', 3);
    addMember('vip', 'p_2', 5);
    addChange('buyers', 'p_1', true, 3);
    addChange('vip', 'p_1', true, 4);
    addChange('vip', 'p_1', false, 5);
    addChange('vip', 'p_2', true, 5);
    expect(store.segmentsOf('p_1')).toEqual([
      { segmentId: 'buyers', version: 1, since: 3 },
      { segmentId: 'vip', version: 2, since: 5 },
    ]);
    expect(store.changesOf('p_1', 2)).toEqual([
      { seq: 3, segmentId: 'vip', version: 1, entered: false, at: 5, eventOffset: null },
      { seq: 2, segmentId: 'vip', version: 1, entered: true, at: 4, eventOffset: 40 },
    ]);
  });

  it('sums entries minus exits into the size at the end of each bucket', () => {
    const h = 3_600_000;
    addChange('vip', 'p_1', true, 5); // before the range
    addChange('vip', 'p_2', true, 100 * h); // bucket 0 starts here
    addChange('vip', 'p_1', false, 149 * h + h - 1);
    addChange('vip', 'p_3', true, 150 * h); // the next bucket of 50 hours
    addChange('vip', 'p_4', true, 400 * h - 1); // the last bucket's last instant
    addChange('vip', 'p_5', true, 400 * h); // after the range
    addChange('other', 'p_1', true, 120 * h);
    expect(store.sizeHistory('vip', 100 * h, 50 * h, 6)).toEqual([1, 2, 2, 2, 2, 3]);
    expect(store.sizeHistory('vip', 100 * h, 100 * h, 3)).toEqual([2, 2, 3]);
    expect(store.sizeHistory('vip', 0, 10 * h, 2)).toEqual([1, 1]);
    expect(store.sizeHistory('none', 0, 1000 * h, 2)).toEqual([0, 0]);
    expect(() => store.sizeHistory('vip', 5, h, 2)).toThrow(/whole hours/);
  });

  it('keeps one running sum per segment and hour, whatever the number of changes', () => {
    const h = 3_600_000;
    const changes = Array.from({ length: 300 }, (_, i) => ({
      segmentId: 'vip',
      version: 1,
      profileId: `p_${i}`,
      entered: i % 3 !== 0,
      at: 7 * h + i * 1000,
    }));
    new SqliteSegmentStateStore(db).recordChanges(
      changes.map((c) => ({ ...c, eventOffset: null })),
    );
    expect(db.prepare('SELECT hour, delta FROM segment_size_deltas').all()).toEqual([
      { hour: 7, delta: 200 - 100 },
    ]);
    expect(store.sizeHistory('vip', 6 * h, h, 2)).toEqual([0, 100]);
  });

  it("applies each profile's last change of a batch to the members, and keeps every change in order", () => {
    for (const id of ['a', 'b', 'c']) saveStatus(id);
    // 3 segments × 60 profiles: enter, then a third exit again and a sixth re-enter.
    const changes = [];
    for (let round = 0; round < 3; round++) {
      for (let p = 0; p < 60; p++) {
        if (round === 1 && p % 3 !== 0) continue;
        if (round === 2 && p % 6 !== 0) continue;
        for (const segmentId of ['c', 'a', 'b']) {
          changes.push({
            segmentId,
            version: round + 1,
            profileId: `p_${String(p).padStart(2, '0')}`,
            entered: round !== 1,
            at: 1_000 + round,
            eventOffset: null,
          });
        }
      }
    }
    new SqliteSegmentStateStore(db).recordChanges(changes);
    const logged = db
      .prepare('SELECT segment_id, profile_id, entered, version FROM segment_changes ORDER BY seq')
      .raw()
      .all();
    expect(logged).toEqual(
      changes.map((c) => [c.segmentId, c.profileId, c.entered ? 1 : 0, c.version]),
    );
    const expected = [];
    for (const segmentId of ['a', 'b', 'c']) {
      for (let p = 0; p < 60; p++) {
        if (p % 3 === 0 && p % 6 !== 0) continue;
        const version = p % 6 === 0 ? 3 : 1;
        expected.push([segmentId, `p_${String(p).padStart(2, '0')}`, version, 1_000 + version - 1]);
      }
    }
    const members = db
      .prepare('SELECT segment_id, profile_id, version, since FROM segment_members ORDER BY 1, 2')
      .raw()
      .all();
    expect(members).toEqual(expected);
    for (const id of ['a', 'b', 'c']) expect(store.size(id)).toBe(50);
  });
});
