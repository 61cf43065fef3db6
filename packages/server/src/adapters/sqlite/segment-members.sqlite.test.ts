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
const addChange = (segmentId: string, profileId: string, entered: boolean, at: number) =>
  db
    .prepare(
      `INSERT INTO segment_changes (segment_id, version, profile_id, entered, at, event_offset)
       VALUES (?, 1, ?, ?, ?, ?)`,
    )
    .run(segmentId, profileId, entered ? 1 : 0, at, entered ? at * 10 : null);
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
    addChange('vip', 'p_1', true, 5); // before the range
    addChange('vip', 'p_2', true, 100); // bucket 0 starts here
    addChange('vip', 'p_1', false, 149);
    addChange('vip', 'p_3', true, 150); // the next bucket of 50
    addChange('vip', 'p_4', true, 399); // the last bucket's last instant
    addChange('vip', 'p_5', true, 400); // after the range
    addChange('other', 'p_1', true, 120);
    expect(store.sizeHistory('vip', 100, 50, 6)).toEqual([1, 2, 2, 2, 2, 3]);
    expect(store.sizeHistory('vip', 100, 100, 3)).toEqual([2, 2, 3]);
    expect(store.sizeHistory('vip', 0, 10, 2)).toEqual([1, 1]);
    expect(store.sizeHistory('none', 0, 1000, 2)).toEqual([0, 0]);
  });
});
