import type {
  Condition,
  FrequencyCap,
  PlacementInput,
  PlacementView,
  VariantInput,
} from '@attune/contracts';
import { checkCondition, compileCondition, durationMs, formatIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import { slugOf } from '../segments/segments.service.js';
import type {
  PlacementDefinitionData,
  PlacementRecord,
  PlacementStore,
} from './placement.store.js';
import { longestCapMs } from './frequency-caps.js';
import type { VariantRenderer } from './variant-renderer.js';

export type DecisionErrorCode =
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  | 'invalid_condition'
  | 'invalid_template'
  | 'unknown_segment'
  | 'unknown_placement';

/** An expected failure of a decisions request; the routes turn it into problem+json. */
export class DecisionRequestError extends Error {
  constructor(
    readonly code: DecisionErrorCode,
    readonly field: string | undefined,
    detail: string,
  ) {
    super(detail);
    this.name = 'DecisionRequestError';
  }
}

export interface PlacementsServiceDeps {
  store: PlacementStore;
  /** Whether a segment (not deleted) has this id: rules may only refer to existing ones. */
  segmentExists: (id: string) => boolean;
  renderer: Pick<VariantRenderer, 'problemOf'>;
  clock: Clock;
  /** Told after a placement is created, changed or deleted (compiled rules are stale). */
  changed?: (id: string) => void;
}

/**
 * Placements and their rules (create, edit as new versions, delete). A definition is
 * checked before it is stored: rule ids are unique, every condition compiles (context
 * conditions allowed), the segments it names exist, schedules run forwards and every
 * template parses.
 */
export class PlacementsService {
  constructor(private readonly deps: PlacementsServiceDeps) {}

  create(input: PlacementInput): PlacementView {
    const id = input.id ?? this.freeIdFor(input.name);
    const created = this.deps.store.create(id, this.checked(input), this.deps.clock.now());
    if (created === null)
      throw new DecisionRequestError(
        'conflict',
        '/id',
        `Placement ${id} exists or existed; edit it with PUT /v1/placements/${id} or choose another id`,
      );
    this.deps.changed?.(id);
    return view(created);
  }

  update(id: string, input: PlacementInput): PlacementView {
    if (input.id !== undefined && input.id !== id)
      throw new DecisionRequestError(
        'invalid_request',
        '/id',
        `The body's id ${input.id} differs from the path's ${id}; ids cannot be changed`,
      );
    const current = this.active(id);
    const data = this.checked(input);
    if (JSON.stringify(definitionOf(current)) === JSON.stringify(data)) return view(current);
    const updated = this.deps.store.update(id, data, this.deps.clock.now());
    if (updated === undefined) throw notFound(id);
    this.deps.changed?.(id);
    return view(updated);
  }

  get(id: string): PlacementView {
    return view(this.active(id));
  }

  list(): PlacementView[] {
    return this.deps.store.list().map(view);
  }

  /** Whether a placement has ever had this id (deleted ones keep theirs). */
  idUsed(id: string): boolean {
    return this.deps.store.idUsed(id);
  }

  delete(id: string): void {
    if (!this.deps.store.delete(id, this.deps.clock.now())) throw notFound(id);
    this.deps.changed?.(id);
  }

  private active(id: string): PlacementRecord {
    const record = this.deps.store.get(id);
    if (record === undefined) throw notFound(id);
    return record;
  }

  private checked(input: PlacementInput): PlacementDefinitionData {
    const seen = new Set<string>();
    input.rules.forEach((rule, i) => {
      const at = `/rules/${i}`;
      if (seen.has(rule.id))
        throw new DecisionRequestError('invalid_request', `${at}/id`, `Rule id ${rule.id} repeats`);
      seen.add(rule.id);
      const [issue] = checkCondition(rule.condition, `${at}/condition`, { allowContext: true });
      if (issue !== undefined)
        throw new DecisionRequestError('invalid_condition', issue.path, issue.message);
      const compiled = compileCondition(rule.condition as Condition);
      // A decision reads what the processor keeps per profile; event history is kept for
      // segments, so a rule tests history through one (decided in microseconds, not scans).
      if (compiled.trails.length > 0)
        throw new DecisionRequestError(
          'invalid_condition',
          `${at}/condition`,
          `Rule ${rule.id} tests event history: define a segment with that condition and refer to it with {"type": "segment", "segment": "<id>"}`,
        );
      for (const segment of compiled.dependencies.segments) {
        if (!this.deps.segmentExists(segment))
          throw new DecisionRequestError(
            'unknown_segment',
            `${at}/condition`,
            `Rule ${rule.id} refers to segment ${segment}, which does not exist`,
          );
      }
      const { start, end } = rule.schedule ?? {};
      if (start !== undefined && end !== undefined && Date.parse(start) >= Date.parse(end))
        throw new DecisionRequestError(
          'invalid_request',
          `${at}/schedule/end`,
          'The schedule must end after it starts',
        );
      this.checkTemplate(rule.variant, `${at}/variant/template`);
      checkCap(rule.variant.cap, `${at}/variant/cap`);
    });
    this.checkTemplate(input.fallback, '/fallback/template');
    if (input.fallback.cap !== undefined)
      throw new DecisionRequestError(
        'invalid_request',
        '/fallback/cap',
        'The fallback cannot be capped: it is what a capped visitor sees',
      );
    checkCap(input.frequencyCap, '/frequencyCap');
    return {
      name: input.name,
      description: input.description ?? null,
      rules: input.rules,
      fallback: input.fallback,
      frequencyCap: input.frequencyCap ?? null,
    };
  }

  private checkTemplate(variant: VariantInput, field: string): void {
    if (variant.template === undefined) return;
    const problem = this.deps.renderer.problemOf(variant.template);
    if (problem !== null)
      throw new DecisionRequestError('invalid_template', field, `Liquid: ${problem}`);
  }

  private freeIdFor(name: string): string {
    const base = slugOf(name).replace(/^segment$/, 'placement');
    let id = base;
    for (let n = 2; this.deps.store.idUsed(id); n++) id = `${base.slice(0, 60)}-${n}`;
    return id;
  }
}

function checkCap(cap: FrequencyCap | undefined, field: string): void {
  if (cap !== undefined && durationMs(cap.per) > longestCapMs)
    throw new DecisionRequestError(
      'invalid_request',
      `${field}/per`,
      'A frequency cap spans at most 30 days',
    );
}

function definitionOf(record: PlacementRecord): PlacementDefinitionData {
  return {
    name: record.name,
    description: record.description,
    rules: record.rules,
    fallback: record.fallback,
    frequencyCap: record.frequencyCap,
  };
}

function view(record: PlacementRecord): PlacementView {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    version: record.version,
    rules: record.rules,
    fallback: record.fallback,
    frequencyCap: record.frequencyCap,
    createdAt: formatIsoTimestamp(record.createdAt),
    updatedAt: formatIsoTimestamp(record.updatedAt),
  };
}

function notFound(id: string): DecisionRequestError {
  return new DecisionRequestError('not_found', undefined, `No placement ${id}`);
}
