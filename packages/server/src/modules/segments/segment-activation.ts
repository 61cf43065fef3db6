import { currentBackfill } from './segment-backfill.js';
import type { SegmentIndex } from './segment-index.js';
import type { SegmentStatusRow, TrailKeyState } from './segment-state.store.js';

/** Where an activation writes what it decides (the step's maps and the store). */
export interface ActivationSink {
  status: (status: SegmentStatusRow) => void;
  trailKey: (key: string, state: TrailKeyState) => void;
}

/**
 * Starts a backfill, at `afterOffset`, for every segment whose definition version (or, for
 * one reading the computed view, whose computed `epoch`) differs from what its status was
 * evaluated with, and for every trail that is new or must keep more times than kept.
 */
export function activateChanged(
  index: SegmentIndex,
  statuses: ReadonlyMap<string, SegmentStatusRow>,
  trailKeys: Map<string, TrailKeyState>,
  at: { afterOffset: number; now: number; epoch: string; profiles: () => number },
  save: ActivationSink,
): void {
  const { afterOffset, now } = at;
  let profiles: number | null = null;
  let activated = false;
  for (const segment of index.ordered) {
    const computedEpoch = segment.compiled.dependencies.computed ? at.epoch : '';
    const known = statuses.get(segment.id);
    if (known?.version === segment.version && known.computedEpoch === computedEpoch) continue;
    activated = true;
    const total = (profiles ??= at.profiles());
    save.status({
      segmentId: segment.id,
      version: segment.version,
      // With no profiles yet (a fresh start, a replay) there is nothing to backfill.
      state: total === 0 ? 'ready' : 'backfilling',
      activeFromOffset: afterOffset,
      backfillAfterProfile: '',
      profilesDone: 0,
      profilesTotal: total,
      startedAt: now,
      readyAt: total === 0 ? now : null,
      computedEpoch,
    });
  }
  for (const [key, spec] of index.specs) {
    const known = trailKeys.get(key);
    if (known !== undefined && known.keep >= spec.keep) continue;
    // New, or a new reader needs more of the latest times than kept: (re)built by this
    // activation's backfill; readers that needed fewer are unaffected meanwhile.
    const state = { liveAfterOffset: afterOffset, keep: spec.keep };
    trailKeys.set(key, state);
    save.trailKey(key, state);
  }
  if (activated) foldYoungBackfills(statuses, index, trailKeys, afterOffset, save);
}

/**
 * Segments are often defined a few at a time, and each activation would be its own pass
 * over every profile. A backfill that has done less than a quarter of its profiles starts
 * over as part of the newest activation instead (one pass for all); older ones finish alone.
 */
export function foldYoungBackfills(
  statuses: ReadonlyMap<string, SegmentStatusRow>,
  index: SegmentIndex,
  trailKeys: Map<string, TrailKeyState>,
  afterOffset: number,
  save: ActivationSink,
): void {
  for (;;) {
    const job = currentBackfill(statuses, index, trailKeys);
    const first = job?.statuses[0];
    if (job === null || first === undefined || first.activeFromOffset === afterOffset) return;
    if (first.profilesDone > first.profilesTotal / 4) return;
    for (const status of job.statuses) {
      save.status({
        ...status,
        activeFromOffset: afterOffset,
        backfillAfterProfile: '',
        profilesDone: 0,
      });
    }
    for (const key of job.keys) {
      const state = { ...(trailKeys.get(key) as TrailKeyState), liveAfterOffset: afterOffset };
      trailKeys.set(key, state);
      save.trailKey(key, state);
    }
  }
}
