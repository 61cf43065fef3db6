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
    s.backfillAfterProfile = profileId;
    s.profilesDone++;
  }
}

/** Refolds the given trails from the profile's whole timeline (stored chunks and recent). */
export async function rebuildTrails(
  profile: ProfileData,
  specs: readonly TrailSpec[],
  deps: {
    profiles: Pick<ProfileStore, 'chunkOffsets'>;
    readEvents: (offsets: number[]) => Promise<LoggedEvent[]>;
  },
): Promise<void> {
  for (const spec of specs) profile.trails[spec.key] = emptyTrail();
  if (specs.length === 0) return;
  const offsets = [...deps.profiles.chunkOffsets(profile.id), ...profile.recentEvents];
  for (let i = 0; i < offsets.length; i += 1000) {
    for (const e of await deps.readEvents(offsets.slice(i, i + 1000))) {
      if (e.type !== 'track' || e.event === null) continue;
      const message = JSON.parse(e.message) as { properties?: Record<string, unknown> };
      const event = { name: e.event, properties: message.properties ?? {}, timestamp: e.timestamp };
      for (const spec of specs) {
        const trail = profile.trails[spec.key];
        if (trail !== undefined && trailMatches(spec, event))
          addToTrail(trail, e.timestamp, spec.keep);
      }
    }
  }
}
