import { addToTrail, emptyTrail, trailMatches, type TrailSpec } from '@attune/engine';
import type { TrackRead } from '../event-log/event-log.store.js';
import type { ProfileData, ProfileStore } from '../profiles/profile.store.js';
import type { ActiveSegment, SegmentIndex } from './segment-index.js';
import type { SegmentStatusRow, TrailKeyState } from './segment-state.store.js';

/**
 * A backfill in progress: the segments activated at one log offset, worked through the
 * profiles in id order; `keys` are the trails that activation (re)built.
 */
export interface BackfillJob {
  statuses: SegmentStatusRow[];
  segments: ActiveSegment[];
  keys: string[];
  /** Profiles up to this id are done. */
  cursor: string;
}

/** The backfill to work on: segments activated at the lowest offset, done in id order. */
export function currentBackfill(
  statuses: ReadonlyMap<string, SegmentStatusRow>,
  index: SegmentIndex,
  trailKeys: ReadonlyMap<string, TrailKeyState>,
): BackfillJob | null {
  let offset: number | null = null;
  for (const s of statuses.values()) {
    if (s.state === 'backfilling' && (offset === null || s.activeFromOffset < offset))
      offset = s.activeFromOffset;
  }
  if (offset === null) return null;
  const job = [...statuses.values()].filter(
    (s) => s.state === 'backfilling' && s.activeFromOffset === offset,
  );
  const segments = job
    .map((s) => index.segments.get(s.segmentId))
    .filter((s): s is ActiveSegment => s !== undefined);
  const keys = [...trailKeys]
    .filter(([, state]) => state.liveAfterOffset === offset)
    .map(([key]) => key);
  const cursor = job.reduce(
    (c, s) => (s.backfillAfterProfile < c ? s.backfillAfterProfile : c),
    job[0]?.backfillAfterProfile ?? '',
  );
  return { statuses: job, segments, keys, cursor };
}

/** Records one more profile done (statuses are saved by the caller). */
export function advanceJob(job: BackfillJob, profileId: string): void {
  job.cursor = profileId;
  for (const s of job.statuses) {
    // A segment that joined the job at the same offset but later may be past this profile.
    if (s.backfillAfterProfile >= profileId) continue;
    s.backfillAfterProfile = profileId;
    s.profilesDone++;
  }
}

/** Offsets read from the log at a time while refolding. */
const readSlice = 5000;

/** Reads the track events of these offsets named in `events` (EventLog.readTracks). */
export type ReadTracks = (
  offsets: number[],
  events: readonly string[],
  withProperties: readonly string[],
) => Promise<TrackRead[]>;

/** The specs grouped by event name, and the names whose filters read properties. */
function specsByEvent(specs: readonly TrailSpec[]): {
  byEvent: Map<string, TrailSpec[]>;
  withProperties: string[];
} {
  const byEvent = new Map<string, TrailSpec[]>();
  for (const spec of specs) {
    const list = byEvent.get(spec.event);
    if (list === undefined) byEvent.set(spec.event, [spec]);
    else list.push(spec);
  }
  const withProperties = [...byEvent]
    .filter(([, list]) => list.some((spec) => spec.where.length > 0))
    .map(([name]) => name);
  return { byEvent, withProperties };
}

/**
 * Refolds the given trails of these profiles from their whole timelines (stored chunks and
 * recent), reading the events of all of them together: per-profile reads cost a query each.
 * Only the specs' events are read, and properties only where a filter needs them.
 */
export async function rebuildTrails(
  profiles: readonly ProfileData[],
  specs: readonly TrailSpec[],
  deps: {
    profiles: Pick<ProfileStore, 'chunkOffsets'>;
    readTracks: ReadTracks;
  },
): Promise<void> {
  if (specs.length === 0) return;
  const { byEvent, withProperties } = specsByEvent(specs);
  const names = [...byEvent.keys()];
  const owner = new Map<number, ProfileData>();
  for (const profile of profiles) {
    // A missing trail reads as empty: most profiles never did most specs' events, and an
    // empty trail made for each would be millions of objects in a backfill, for nothing.
    for (const spec of specs) delete profile.trails[spec.key];
    // Activity counts track events by name: a profile that never sent one has no reading.
    if (!names.some((name) => profile.computed.activity[name] !== undefined)) continue;
    for (const offset of deps.profiles.chunkOffsets(profile.id)) owner.set(offset, profile);
    for (const offset of profile.recentEvents) owner.set(offset, profile);
  }
  const offsets = [...owner.keys()].sort((a, b) => a - b);
  for (let i = 0; i < offsets.length; i += readSlice) {
    const slice = offsets.slice(i, i + readSlice);
    for (const e of await deps.readTracks(slice, names, withProperties)) {
      const profile = owner.get(e.offset);
      if (profile === undefined) continue;
      const event = { name: e.event, properties: e.properties ?? {}, timestamp: e.timestamp };
      for (const spec of byEvent.get(e.event) ?? []) {
        if (trailMatches(spec, event))
          addToTrail((profile.trails[spec.key] ??= emptyTrail()), e.timestamp, spec.keep);
      }
    }
  }
}
