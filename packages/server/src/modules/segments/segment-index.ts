import {
  checkCondition,
  compileCondition,
  type CompiledCondition,
  type TrailSpec,
} from '@attune/engine';
import type { Condition } from '@attune/contracts';
import type { ActiveDefinition } from './segment-state.store.js';

/** Journey-map stages are kept as internal segments with this id prefix (never a user id). */
export const stageSegmentPrefix = 'stage:';
export const isStageSegmentId = (id: string): boolean => id.startsWith(stageSegmentPrefix);

export interface ActiveSegment {
  id: string;
  version: number;
  compiled: CompiledCondition;
  /** Position in evaluation order: a segment comes after those it refers to. */
  rank: number;
  /** Set for a journey-map stage: internal, its membership only decides the stage. */
  stage: { name: string; rank: number } | null;
}

/**
 * The active segments compiled and indexed for the processor: which segments an event can
 * affect (by event name, traits, computed values, other segments), in an order where a
 * segment is evaluated after the segments it refers to, and the union of event trails
 * they read.
 */
export class SegmentIndex {
  readonly segments = new Map<string, ActiveSegment>();
  /** Trail specs by key (a shared trail keeps the most times any reader needs). */
  readonly specs = new Map<string, TrailSpec>();
  private readonly specsByEvent = new Map<string, TrailSpec[]>();
  private readonly byEvent = new Map<string, ActiveSegment[]>();
  private readonly byTraits: ActiveSegment[] = [];
  private readonly byComputed: ActiveSegment[] = [];
  readonly timeDependent: ActiveSegment[] = [];
  /** Journey-map stages, first to furthest. */
  readonly stages: ActiveSegment[] = [];
  /** Segments whose conditions read the stage. */
  private readonly byStage: ActiveSegment[] = [];
  /** Segment id → segments that refer to it, directly or not. */
  private readonly dependents = new Map<string, Set<string>>();
  readonly ordered: ActiveSegment[] = [];

  constructor(
    definitions: readonly ActiveDefinition[],
    onSkipped: (id: string, reason: string) => void = () => undefined,
  ) {
    const compiled = new Map<string, { def: ActiveDefinition; compiled: CompiledCondition }>();
    for (const def of definitions) {
      const issue = checkCondition(def.condition)[0];
      if (issue !== undefined) {
        onSkipped(def.id, `invalid condition at ${issue.path || '/'}: ${issue.message}`);
        continue;
      }
      const condition = compileCondition(def.condition as Condition);
      if (def.stage !== undefined && condition.dependencies.stage) {
        onSkipped(def.id, 'a stage cannot be defined by the stage');
        continue;
      }
      compiled.set(def.id, { def, compiled: condition });
    }
    // Depth-first order; a segment on a cycle or referring to a missing one is skipped.
    const state = new Map<string, 'visiting' | 'done' | 'skipped'>();
    const visit = (id: string): boolean => {
      const seen = state.get(id);
      if (seen === 'done') return true;
      if (seen === 'skipped') return false;
      const entry = compiled.get(id);
      if (seen === 'visiting' || entry === undefined) return false;
      state.set(id, 'visiting');
      for (const ref of entry.compiled.dependencies.segments) {
        if (!visit(ref)) {
          state.set(id, 'skipped');
          onSkipped(id, `refers to segment ${ref}, which is missing, skipped or on a cycle`);
          return false;
        }
      }
      state.set(id, 'done');
      const segment = {
        id,
        version: entry.def.version,
        compiled: entry.compiled,
        rank: this.ordered.length,
        stage: entry.def.stage ?? null,
      };
      this.ordered.push(segment);
      this.segments.set(id, segment);
      return true;
    };
    for (const id of compiled.keys()) visit(id);

    // Everything each segment refers to, directly or through others (refs come first in order).
    const requires = new Map<string, Set<string>>();
    for (const segment of this.ordered) {
      const deps = segment.compiled.dependencies;
      const all = new Set<string>();
      for (const ref of deps.segments) {
        all.add(ref);
        for (const further of requires.get(ref) ?? []) all.add(further);
      }
      requires.set(segment.id, all);
      for (const required of all) addTo(this.dependents, required, segment.id);
      for (const name of deps.events) push(this.byEvent, name, segment);
      if (deps.traits.size > 0) this.byTraits.push(segment);
      if (deps.computed) this.byComputed.push(segment);
      if (segment.compiled.timeDependent) this.timeDependent.push(segment);
      if (segment.stage !== null) this.stages.push(segment);
      if (deps.stage) this.byStage.push(segment);
      for (const spec of segment.compiled.trails) {
        const known = this.specs.get(spec.key);
        if (known === undefined) {
          const copy = { ...spec };
          this.specs.set(spec.key, copy);
          push(this.specsByEvent, spec.event, copy);
        } else known.keep = Math.max(known.keep, spec.keep);
      }
    }
    this.stages.sort((a, b) => (a.stage?.rank ?? 0) - (b.stage?.rank ?? 0));
  }

  /** Segments that read the stage, with everything that refers to them. */
  stageReaders(): ActiveSegment[] {
    return this.withDependents(this.byStage);
  }

  /** Trail specs fed by this track event name. */
  specsFor(eventName: string): readonly TrailSpec[] {
    return this.specsByEvent.get(eventName) ?? [];
  }

  readsProperties(eventName: string): boolean {
    return this.specsFor(eventName).some((s) => s.where.length > 0);
  }

  private readonly affected = new Map<string, ActiveSegment[]>();

  /** What an event can change, with everything that refers to those, in evaluation order. */
  affectedBy(eventName: string | null, traitsChanged: boolean): ActiveSegment[] {
    const key = `${traitsChanged ? 't' : '-'}${eventName ?? ''}`;
    let list = this.affected.get(key);
    if (list === undefined) {
      list = this.computeAffected(eventName, traitsChanged);
      if (this.affected.size < 10_000) this.affected.set(key, list);
    }
    return list;
  }

  private computeAffected(eventName: string | null, traitsChanged: boolean): ActiveSegment[] {
    const direct = new Set<ActiveSegment>();
    if (eventName !== null) {
      for (const s of this.byEvent.get(eventName) ?? []) direct.add(s);
      // Counts and RFM in the computed view move with every track event.
      for (const s of this.byComputed) direct.add(s);
    }
    if (traitsChanged) for (const s of this.byTraits) direct.add(s);
    return this.withDependents(direct);
  }

  withDependents(segments: Iterable<ActiveSegment>): ActiveSegment[] {
    const all = new Set<ActiveSegment>();
    for (const s of segments) {
      all.add(s);
      for (const id of this.dependents.get(s.id) ?? []) {
        const dependent = this.segments.get(id);
        if (dependent !== undefined) all.add(dependent);
      }
    }
    return [...all].sort((a, b) => a.rank - b.rank);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (set === undefined) map.set(key, new Set([value]));
  else set.add(value);
}
