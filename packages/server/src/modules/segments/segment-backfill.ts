import { addToTrail, emptyTrail, trailMatches, type TrailSpec } from '@attune/engine';
import type { LoggedEvent } from '../event-log/event-log.store.js';
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

/**
 * Refolds the given trails of these profiles from their whole timelines (stored chunks and
 * recent), reading the events of all of them together: per-profile reads cost a query each.
 */
export async function rebuildTrails(
  profiles: readonly ProfileData[],
  specs: readonly TrailSpec[],
  deps: {
    profiles: Pick<ProfileStore, 'chunkOffsets'>;
    readEvents: (offsets: number[]) => Promise<LoggedEvent[]>;
  },
): Promise<void> {
  if (specs.length === 0) return;
  const byEvent = new Map<string, TrailSpec[]>();
  for (const spec of specs) {
    const list = byEvent.get(spec.event);
    if (list === undefined) byEvent.set(spec.event, [spec]);
    else list.push(spec);
  }
  const owner = new Map<number, ProfileData>();
  for (const profile of profiles) {
    for (const spec of specs) profile.trails[spec.key] = emptyTrail();
    for (const offset of deps.profiles.chunkOffsets(profile.id)) owner.set(offset, profile);
    for (const offset of profile.recentEvents) owner.set(offset, profile);
  }
  const offsets = [...owner.keys()].sort((a, b) => a - b);
  for (let i = 0; i < offsets.length; i += readSlice) {
    for (const e of await deps.readEvents(offsets.slice(i, i + readSlice))) {
      if (e.type !== 'track' || e.event === null) continue;
      const readers = byEvent.get(e.event);
      const profile = owner.get(e.offset);
      if (readers === undefined || profile === undefined) continue;
      // Properties are parsed only when a filter reads them.
      let properties: Record<string, unknown> | null = null;
      for (const spec of readers) {
        if (spec.where.length > 0 && properties === null) {
          const message = JSON.parse(e.message) as { properties?: Record<string, unknown> };
          properties = message.properties ?? {};
        }
        const event = { name: e.event, properties: properties ?? {}, timestamp: e.timestamp };
        const trail = profile.trails[spec.key];
        if (trail !== undefined && trailMatches(spec, event))
          addToTrail(trail, e.timestamp, spec.keep);
      }
    }
  }
}
