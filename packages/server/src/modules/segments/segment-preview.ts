import type { Condition } from '@attune/contracts';
import {
  compileCondition,
  type ComputedTraitDefinition,
  type ConditionInput,
  type RfmBreakpoints,
} from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import { computedView } from '../profiles/computed-view.js';
import type { ProfileData, ProfileStore } from '../profiles/profile.store.js';
import { rebuildTrails } from './segment-backfill.js';
import { trailHitsReader, type ReadTrailHits, type ReadTracks } from './trail-hits.js';

export interface SegmentPreviewDeps {
  profiles: Pick<ProfileStore, 'load' | 'idsAfter' | 'count' | 'chunkOffsets'>;
  readTracks: ReadTracks;
  computedTraits: readonly ComputedTraitDefinition[];
  /** The latest RFM breakpoints (`rfm.score`), read once per preview. */
  rfmBreakpoints: () => RfmBreakpoints | null;
  clock: Clock;
  /** Profiles read per step; the event loop gets a turn between steps. */
  chunk?: number;
}

export interface PreviewOptions {
  /** How many matching profile ids to return. */
  sample: number;
  /** Evaluate at most this many profiles. */
  maxProfiles: number;
}

export interface PreviewResult {
  /** Matches, extrapolated to every profile when not all were scanned. */
  estimatedCount: number;
  scanned: number;
  totalProfiles: number;
  /** The first matching profile ids, by id. */
  sample: string[];
  exact: boolean;
}

/**
 * Evaluates a draft condition against stored profiles, in id order, without saving anything.
 * Each profile's trails for the draft are folded from its timeline exactly as a backfill
 * folds them, and the condition sees the same input the processor gives it (traits, computed
 * view, stored memberships; no stage, consent unknown), at one `now` for the whole scan.
 */
export class SegmentPreviewer {
  private readonly readTrailHits: ReadTrailHits;

  constructor(private readonly deps: SegmentPreviewDeps) {
    this.readTrailHits = trailHitsReader(deps.readTracks);
  }

  async preview(condition: Condition, options: PreviewOptions): Promise<PreviewResult> {
    const compiled = compileCondition(condition);
    const now = this.deps.clock.now();
    const breakpoints = this.deps.rfmBreakpoints();
    const totalProfiles = this.deps.profiles.count();
    const chunk = this.deps.chunk ?? 200;
    const sample: string[] = [];
    let scanned = 0;
    let matches = 0;
    let cursor = '';
    let reachedEnd = false;
    while (scanned < options.maxProfiles) {
      const limit = Math.min(chunk, options.maxProfiles - scanned);
      const ids = this.deps.profiles.idsAfter(cursor, limit);
      cursor = ids[ids.length - 1] ?? cursor;
      // Loaded copies: their trails for the draft are refolded in place, a chunk per query.
      const profiles = ids
        .map((id) => this.deps.profiles.load(id))
        .filter((p): p is ProfileData => p !== undefined); // merged away since listed
      await rebuildTrails(profiles, compiled.trails, {
        profiles: this.deps.profiles,
        readTrailHits: this.readTrailHits,
      });
      for (const profile of profiles) {
        scanned++;
        if (compiled.evaluate(this.inputOf(profile, now, breakpoints))) {
          matches++;
          if (sample.length < options.sample) sample.push(profile.id);
        }
      }
      if (ids.length < limit) {
        reachedEnd = true;
        break;
      }
      // A large scan must not hold up ingest on this thread.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!reachedEnd && this.deps.profiles.idsAfter(cursor, 1).length === 0) reachedEnd = true;
    const exact = reachedEnd;
    const estimatedCount =
      exact || scanned === 0
        ? matches
        : Math.round((matches * Math.max(totalProfiles, scanned)) / scanned);
    return { estimatedCount, scanned, totalProfiles, sample, exact };
  }

  private inputOf(
    profile: ProfileData,
    now: number,
    breakpoints: RfmBreakpoints | null,
  ): ConditionInput {
    const definitions = this.deps.computedTraits;
    const members = profile.segments.members;
    let computed: Record<string, unknown> | null = null;
    return {
      now,
      traits: profile.traits.values,
      get computed() {
        return (computed ??= computedView(profile, definitions, now, breakpoints));
      },
      trails: profile.trails,
      isMember: (id) => id in members,
      stage: profile.segments.stage ?? null,
      consent: () => null,
    };
  }
}
