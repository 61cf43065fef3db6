import {
  addToTrail,
  emptyTrail,
  mergeTrail,
  trailMatches,
  type ComputedTraitDefinition,
  type ConditionInput,
  type RfmBreakpoints,
  type TrailSpec,
} from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { ProcessorStep } from '../processor/processor-step.js';
import { lazyComputedView } from '../profiles/computed-view.js';
import type { ProfileData, ProfileStore } from '../profiles/profile.store.js';
import type { AppliedEvent, ProfileAccess, ProfileObserver } from '../profiles/profiles.step.js';
import { activateChanged } from './segment-activation.js';
import type { ReadChunkAhead } from './backfill-read-ahead.js';
import { advanceJob, currentBackfill } from './segment-backfill.js';
import type { ReadTracks } from './trail-hits.js';
import { TrailRebuilds } from './trail-rebuilds.js';
import { isStageSegmentId, SegmentIndex, type ActiveSegment } from './segment-index.js';
import type {
  ActiveDefinition,
  MembershipChange,
  SegmentStateStore,
  SegmentStatusRow,
  TrailKeyState,
} from './segment-state.store.js';

const dayMs = 86_400_000;

export interface SegmentsStepDeps {
  store: SegmentStateStore;
  /** The current definitions (read from attune.db at the start of each transaction). */
  definitions: () => ActiveDefinition[];
  profiles: Pick<ProfileStore, 'idsAfter' | 'count' | 'chunkOffsets' | 'eventOffsets'>;
  readTracks: ReadTracks;
  /**
   * Reads the next backfill chunk's events while this one is evaluated: on a reader thread
   * (TrailReaderThread). Default: `profiles` and `readTracks`, on this thread.
   */
  readAhead?: ReadChunkAhead;
  computedTraits: readonly ComputedTraitDefinition[];
  /** The latest RFM snapshot (attune.db), scoring `rfm.score` in the computed view. */
  rfm: () => { version: number; breakpoints: RfmBreakpoints } | null;
  clock: Clock;
  /** Profiles backfilled per transaction. */
  backfillChunk?: number;
  onSkipped?: (segmentId: string, reason: string) => void;
}

/**
 * Segment membership, kept by the processor. Each event folds into the event trails of its
 * profile and re-evaluates only the segments it can affect; a durable timer per profile
 * fires when time alone can change a membership (a window expires, a wait ends). A new or
 * edited definition is backfilled profile by profile from stored history, then live.
 * Entries and exits are recorded in `segment_changes`.
 */
export class SegmentsStep implements ProcessorStep, ProfileObserver {
  readonly name = 'segments';
  readonly needsMessage = false;
  private index = new SegmentIndex([]);
  private statuses = new Map<string, SegmentStatusRow>();
  private trailKeys = new Map<string, TrailKeyState>();
  private signature: string | null = null;
  /** Timers changed in this transaction, written at `flush` (a profile's moves often). */
  private readonly timers = new Map<string, number | null>();
  /** Entries and exits of this transaction, written at `flush` in one go. */
  private changes: MembershipChange[] = [];
  private access: ProfileAccess | null = null;
  /** Profiles whose memberships, stage or traits changed since `takeChanged` (for live pushes). */
  private changed = new Set<string>();
  private breakpoints: RfmBreakpoints | null = null;

  private readonly rebuilds: TrailRebuilds;

  constructor(private readonly deps: SegmentsStepDeps) {
    this.rebuilds = new TrailRebuilds(deps);
  }

  /** The profiles step this one observes (set by the composition root). */
  attach(access: ProfileAccess): void {
    this.access = access;
  }

  discard(): void {
    // In-memory statuses and keys may hold changes of the rolled-back transaction.
    this.signature = null;
    this.timers.clear();
    this.changes = [];
    this.changed.clear();
    this.rebuilds.discard();
  }

  /**
   * The profiles whose memberships, stage or traits changed since the last call; the
   * processor takes them after each commit, so a rolled-back transaction reports none.
   */
  takeChanged(): string[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  flush(): void {
    for (const [profileId, dueAt] of this.timers) this.deps.store.setTimer(profileId, dueAt);
    this.timers.clear();
    if (this.changes.length > 0) this.deps.store.recordChanges(this.changes);
    this.changes = [];
  }

  readsProperties(eventName: string): boolean {
    return this.index.readsProperties(eventName);
  }

  /** Events that feed a segment's or stage's trails. */
  wantsTrack(name: string): boolean {
    return this.index.specsFor(name).length > 0;
  }

  begin(afterOffset: number): number {
    const definitions = this.deps.definitions();
    const rfm = this.deps.rfm();
    // Computed values move with new RFM breakpoints and with time (recency, windowed sums):
    // segments reading them are re-evaluated over every profile when either moves a step.
    const now = this.deps.clock.now();
    const epoch = `${rfm?.version ?? 0}/${Math.floor(now / dayMs)}`;
    const signature = [...definitions.map((d) => `${d.id}:${d.version}`).sort(), epoch].join('\n');
    if (signature === this.signature) return 0;
    this.breakpoints = rfm?.breakpoints ?? null;
    if (this.signature === null) {
      this.statuses = new Map(this.deps.store.statuses().map((s) => [s.segmentId, s]));
      this.trailKeys = this.deps.store.trailKeys();
    }
    this.signature = signature;
    this.index = new SegmentIndex(definitions, this.deps.onSkipped);
    for (const [id] of this.statuses) {
      if (!this.index.segments.has(id)) this.removeSegment(id, now);
    }
    activateChanged(
      this.index,
      this.statuses,
      this.trailKeys,
      { afterOffset, now, epoch, profiles: () => this.deps.profiles.count() },
      {
        status: (status) => this.saveStatus(status),
        trailKey: (key, state) => this.deps.store.saveTrailKey(key, state),
      },
    );
    return 1;
  }

  /** Events reach this step through the profiles step (`eventApplied`). */
  apply(): void {}

  eventApplied(profile: ProfileData, event: AppliedEvent): void {
    if (event.traitsChanged) this.changed.add(profile.id);
    if (this.index.ordered.length === 0) return;
    if (event.name === null && !event.traitsChanged && profile.eventCount > 1) return;
    if (event.name !== null) {
      const trailEvent = {
        name: event.name,
        properties: event.properties,
        timestamp: event.timestamp,
      };
      for (const spec of this.index.specsFor(event.name)) {
        if (!trailMatches(spec, trailEvent)) continue;
        addToTrail((profile.trails[spec.key] ??= emptyTrail()), event.timestamp, spec.keep);
      }
    }
    // A new profile is evaluated against every segment (some hold with no data: "not …").
    const affected =
      profile.eventCount === 1
        ? this.index.ordered
        : this.index.affectedBy(event.name, event.traitsChanged);
    this.evaluate(profile, affected, event.offset);
  }

  profilesMerged(survivor: ProfileData, merged: ProfileData): void {
    this.changed.add(survivor.id).add(merged.id);
    const now = this.deps.clock.now();
    const job = currentBackfill(this.statuses, this.index, this.trailKeys);
    const done = (id: string) => job !== null && id <= job.cursor;
    for (const [key, trail] of Object.entries(merged.trails)) {
      const keep = this.index.specs.get(key)?.keep ?? 0;
      const into = (survivor.trails[key] ??= emptyTrail());
      mergeTrail(into, trail, keep);
    }
    if (job !== null && done(survivor.id) !== done(merged.id)) {
      // One was backfilled and one not: rebuild the job's trails from the joined timeline.
      survivor.segments.rebuild = [...new Set([...(survivor.segments.rebuild ?? []), ...job.keys])];
      this.setTimer(survivor, now);
    }
    for (const segmentId of Object.keys(merged.segments.members)) {
      const segment = this.index.segments.get(segmentId);
      if (segment?.stage != null || isStageSegmentId(segmentId)) continue;
      this.changes.push({
        segmentId,
        version: segment?.version ?? merged.segments.members[segmentId]?.version ?? 0,
        profileId: merged.id,
        entered: false,
        at: now,
        eventOffset: null,
      });
    }
    if (merged.segments.timer !== null) this.timers.set(merged.id, null);
    if (merged.segments.stage !== undefined) {
      this.deps.store.recordStageChange({
        profileId: merged.id,
        from: merged.segments.stage,
        to: null,
        at: now,
        eventOffset: null,
      });
    }
    this.evaluate(survivor, this.index.ordered, null);
  }

  /** Fires due timers, then advances the oldest backfill. Returns the work done. */
  async tick(): Promise<number> {
    const access = this.access;
    if (access === null) return 0;
    let work = 0;
    const now = this.deps.clock.now();
    for (const id of this.deps.store.dueTimers(now, 500)) {
      work++;
      this.deps.store.setTimer(id, null);
      this.timers.delete(id);
      const profile = access.loadForUpdate(id);
      if (profile === undefined) continue;
      profile.segments.timer = null;
      const rebuild = profile.segments.rebuild;
      if (rebuild !== undefined) {
        delete profile.segments.rebuild;
        await this.rebuilds.rebuild([profile], this.specsOf(rebuild));
      }
      this.evaluate(profile, this.index.ordered, null);
    }
    return work + (await this.backfill(access));
  }

  private async backfill(access: ProfileAccess): Promise<number> {
    const job = currentBackfill(this.statuses, this.index, this.trailKeys);
    if (job === null) return 0;
    // Profiles this transaction created are not stored yet: store them, so none is missed.
    access.flush();
    const chunk = this.deps.backfillChunk ?? 500;
    const ids = this.deps.profiles.idsAfter(job.cursor, chunk);
    const segments = this.index.withDependents(job.segments);
    const profiles = ids
      .map((id) => access.loadForUpdate(id))
      .filter((p): p is ProfileData => p !== undefined);
    const last = ids[ids.length - 1];
    const next = ids.length < chunk || last === undefined ? null : { afterId: last, limit: chunk };
    await this.rebuilds.rebuildChunk(profiles, this.specsOf(job.keys), next);
    for (const profile of profiles) {
      advanceJob(job, profile.id);
      this.evaluate(profile, segments, null);
    }
    if (ids.length < chunk) {
      const now = this.deps.clock.now();
      for (const s of job.statuses) this.saveStatus({ ...s, state: 'ready', readyAt: now });
    } else {
      for (const s of job.statuses) this.saveStatus(s);
    }
    return Math.max(1, ids.length);
  }

  /** Whether the segment's trails are complete for this profile (ready, or backfilled). */
  private evaluable(segment: ActiveSegment, profile: ProfileData): boolean {
    if (profile.segments.rebuild !== undefined) return false;
    const status = this.statuses.get(segment.id);
    if (status === undefined) return false;
    return status.state === 'ready' || profile.id <= status.backfillAfterProfile;
  }

  private evaluate(
    profile: ProfileData,
    segments: readonly ActiveSegment[],
    offset: number | null,
  ) {
    const now = this.deps.clock.now();
    let computed: Record<string, unknown> | null = null;
    const definitions = this.deps.computedTraits;
    const breakpoints = this.breakpoints;
    const state = profile.segments;
    const input: ConditionInput = {
      now,
      traits: profile.traits.values,
      get computed() {
        return (computed ??= lazyComputedView(profile, definitions, now, breakpoints));
      },
      trails: profile.trails,
      isMember: (id) => id in state.members,
      get stage() {
        return state.stage ?? null;
      },
      consent: () => null,
    };
    this.updateMemberships(profile, segments, input, offset);
    if (this.updateStage(profile, now, offset))
      this.updateMemberships(profile, this.index.stageReaders(), input, offset);
    let next: number | null = null;
    for (const segment of this.index.timeDependent) {
      if (!this.evaluable(segment, profile)) continue;
      const change = segment.compiled.nextChange(input);
      if (change !== null && (next === null || change < next)) next = change;
    }
    if (profile.segments.rebuild === undefined) this.setTimer(profile, next);
  }

  private updateMemberships(
    profile: ProfileData,
    segments: readonly ActiveSegment[],
    input: ConditionInput,
    offset: number | null,
  ): void {
    const members = profile.segments.members;
    for (const segment of segments) {
      if (!this.evaluable(segment, profile)) continue;
      const member = segment.compiled.evaluate(input);
      const was = members[segment.id];
      if (member === (was !== undefined)) {
        if (was !== undefined) was.version = segment.version;
        continue;
      }
      if (member) members[segment.id] = { version: segment.version, since: input.now };
      else delete members[segment.id];
      this.changed.add(profile.id);
      // A stage's membership only decides the stage: no members row, no event.
      if (segment.stage !== null) continue;
      this.changes.push({
        segmentId: segment.id,
        version: segment.version,
        profileId: profile.id,
        entered: member,
        at: input.now,
        eventOffset: offset,
      });
    }
  }

  /**
   * The profile's stage: the furthest stage whose condition holds (none: no stage). Decided
   * only when every stage can be evaluated for it. Returns whether it changed.
   */
  private updateStage(profile: ProfileData, now: number, offset: number | null): boolean {
    const stages = this.index.stages;
    if (stages.length === 0 || !stages.every((s) => this.evaluable(s, profile))) return false;
    let stage: string | null = null;
    for (const s of stages) if (s.id in profile.segments.members) stage = s.stage?.name ?? null;
    const was = profile.segments.stage ?? null;
    if (stage === was) return false;
    if (stage === null) delete profile.segments.stage;
    else profile.segments.stage = stage;
    this.changed.add(profile.id);
    this.deps.store.recordStageChange({
      profileId: profile.id,
      from: was,
      to: stage,
      at: now,
      eventOffset: offset,
    });
    return true;
  }

  /** The trail specs of these keys (a key no longer defined is left out). */
  private specsOf(keys: readonly string[]): TrailSpec[] {
    return keys.map((k) => this.index.specs.get(k)).filter((s): s is TrailSpec => s !== undefined);
  }

  private setTimer(profile: ProfileData, dueAt: number | null): void {
    if (profile.segments.timer === dueAt) return;
    profile.segments.timer = dueAt;
    this.timers.set(profile.id, dueAt);
  }

  private removeSegment(id: string, now: number): void {
    for (const profileId of this.deps.store.memberIds(id)) {
      const profile = this.access?.loadForUpdate(profileId);
      if (profile !== undefined) delete profile.segments.members[id];
      this.changes.push({
        segmentId: id,
        version: this.statuses.get(id)?.version ?? 0,
        profileId,
        entered: false,
        at: now,
        eventOffset: null,
      });
    }
    this.statuses.delete(id);
    this.deps.store.deleteStatus(id);
  }

  private saveStatus(status: SegmentStatusRow): void {
    this.statuses.set(status.segmentId, status);
    this.deps.store.saveStatus(status);
  }
}
