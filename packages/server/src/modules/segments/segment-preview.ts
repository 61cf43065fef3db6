import type { Condition } from '@attune/contracts';
import {
  addToTrail,
  compileCondition,
  emptyTrail,
  trailMatches,
  type ComputedTraitDefinition,
  type ConditionInput,
  type EventTrail,
  type RfmBreakpoints,
  type TrailSpec,
} from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { LoggedEvent } from '../event-log/event-log.store.js';
import { computedView } from '../profiles/computed-view.js';
import type { ProfileData, ProfileStore } from '../profiles/profile.store.js';

export interface SegmentPreviewDeps {
  profiles: Pick<ProfileStore, 'load' | 'idsAfter' | 'count' | 'chunkOffsets'>;
  readEvents: (offsets: number[]) => Promise<LoggedEvent[]>;
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

/** Offsets read from the log per query. */
const readSlice = 1000;

/**
 * Evaluates a draft condition against stored profiles, in id order, without saving anything.
 * Each profile's trails for the draft are folded from its timeline exactly as a backfill
 * folds them, and the condition sees the same input the processor gives it (traits, computed
 * view, stored memberships; no stage, consent unknown), at one `now` for the whole scan.
 */
export class SegmentPreviewer {
  constructor(private readonly deps: SegmentPreviewDeps) {}

  async preview(condition: Condition, options: PreviewOptions): Promise<PreviewResult> {
    const compiled = compileCondition(condition);
    const specsByEvent = new Map<string, TrailSpec[]>();
    for (const spec of compiled.trails) {
      const list = specsByEvent.get(spec.event);
      if (list === undefined) specsByEvent.set(spec.event, [spec]);
      else list.push(spec);
    }
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
      for (const id of ids) {
        cursor = id;
        const profile = this.deps.profiles.load(id);
        if (profile === undefined) continue; // merged away since it was listed
        scanned++;
        const trails = await this.trailsOf(profile, specsByEvent);
        if (compiled.evaluate(this.inputOf(profile, trails, now, breakpoints))) {
          matches++;
          if (sample.length < options.sample) sample.push(id);
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

  /** The draft's trails for one profile, folded from its whole timeline. */
  private async trailsOf(
    profile: ProfileData,
    specsByEvent: ReadonlyMap<string, TrailSpec[]>,
  ): Promise<Record<string, EventTrail>> {
    const trails: Record<string, EventTrail> = {};
    // Activity counts every track event by name: a profile that never sent one of the
    // draft's events has empty trails, and its timeline need not be read.
    const activity = profile.computed.activity;
    if (![...specsByEvent.keys()].some((name) => activity[name] !== undefined)) return trails;
    const offsets = [...this.deps.profiles.chunkOffsets(profile.id), ...profile.recentEvents];
    for (let i = 0; i < offsets.length; i += readSlice) {
      for (const e of await this.deps.readEvents(offsets.slice(i, i + readSlice))) {
        if (e.type !== 'track' || e.event === null) continue;
        const specs = specsByEvent.get(e.event);
        if (specs === undefined) continue;
        const properties = specs.some((s) => s.where.length > 0)
          ? ((JSON.parse(e.message) as { properties?: Record<string, unknown> }).properties ?? {})
          : {};
        const event = { name: e.event, properties, timestamp: e.timestamp };
        for (const spec of specs) {
          if (trailMatches(spec, event))
            addToTrail((trails[spec.key] ??= emptyTrail()), e.timestamp, spec.keep);
        }
      }
    }
    return trails;
  }

  private inputOf(
    profile: ProfileData,
    trails: Record<string, EventTrail>,
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
      trails,
      isMember: (id) => id in members,
      stage: profile.segments.stage ?? null,
      consent: () => null,
    };
  }
}
