import { addToTrail, emptyTrail, type TrailSpec } from '@attune/engine';
import type { ProfileData, ProfileStore } from '../profiles/profile.store.js';
import type { ActiveSegment, SegmentIndex } from './segment-index.js';
import type { SegmentStatusRow, TrailKeyState } from './segment-state.store.js';
import {
  forEachHit,
  specEvents,
  specsSignature,
  type PrefetchedHits,
  type ReadTrailHits,
} from './trail-hits.js';

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

/**
 * Refolds the given trails of these profiles from their whole timelines (stored chunks and
 * recent), reading the events of all of them together: per-profile reads cost a query each.
 * Only the specs' events are read, and properties only where a filter needs them. Hits
 * `prefetched` for these specs are used for the offsets they list; the rest are read now
 * (events a profile gained, or a merge brought, after the read-ahead).
 */
export async function rebuildTrails(
  profiles: readonly ProfileData[],
  specs: readonly TrailSpec[],
  deps: {
    profiles: Pick<ProfileStore, 'chunkOffsets'>;
    readTrailHits: ReadTrailHits;
  },
  prefetched?: PrefetchedHits,
): Promise<void> {
  if (specs.length === 0) return;
  const { names } = specEvents(specs);
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
  const fold = (offset: number, timestamp: number, i: number): void => {
    const profile = owner.get(offset);
    const spec = specs[i];
    if (profile === undefined || spec === undefined) return;
    addToTrail((profile.trails[spec.key] ??= emptyTrail()), timestamp, spec.keep);
  };
  let toRead = [...owner.keys()];
  if (prefetched !== undefined && prefetched.signature === specsSignature(specs)) {
    forEachHit(prefetched.hits, fold);
    toRead = toRead.filter((offset) => !prefetched.offsets.has(offset));
  }
  forEachHit(await deps.readTrailHits(toRead, specs), fold);
}
