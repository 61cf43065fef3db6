import type { DecideRequest, DecideResponse, Decision, DecisionReason } from '@attune/contracts';
import {
  capsCounting,
  chooseVariant,
  compilePlacement,
  type CompiledCap,
  inHoldout,
  type CompiledPlacement,
  type ComputedTraitDefinition,
  type ConditionInput,
  type RfmBreakpoints,
  type VariantChoice,
} from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import type { IdGenerator } from '../../platform/ids.js';
import { isStageSegmentId } from '../segments/segment-index.js';
import { lazyComputedView } from '../profiles/computed-view.js';
import type { ProfileData } from '../profiles/profile.store.js';
import type { FrequencyCaps, VisitorIds } from './frequency-caps.js';
import type { PlacementStore } from './placement.store.js';
import { DecisionRequestError } from './placements.service.js';
import type { RenderScope, VariantRenderer } from './variant-renderer.js';

/** One decision as logged (`Decision Served`), with who it was for and where. */
export interface ServedDecision {
  decision: Decision;
  placementVersion: number;
  userId: string | undefined;
  anonymousId: string | undefined;
  context: Record<string, unknown>;
  at: number;
}

/** Who asked: the source whose write key the request carried. */
export interface DecideSource {
  writeKey: string;
}

export interface DecideServiceDeps {
  placements: Pick<PlacementStore, 'get'>;
  findVisitor: (ids: { userId?: string; anonymousId?: string }) => ProfileData | undefined;
  computedTraits: readonly ComputedTraitDefinition[];
  rfmBreakpoints: () => RfmBreakpoints | null;
  renderer: Pick<VariantRenderer, 'render'>;
  clock: Clock;
  ids: IdGenerator;
  /** Percent of profiles (0–100) that always get the fallback, to measure the lift. */
  holdoutPercent: number;
  /** Past this many ms of deciding, the placements not decided yet get their fallback. */
  timeBudgetMs: number;
  /**
   * Logs what was served, as events of the asking source (its write key); not awaited: a
   * decision never waits for the log.
   */
  served: (decisions: ServedDecision[], source: DecideSource) => void;
  /** Counts the decisions answered by a fallback, by reason. */
  countFallback?: (reason: DecisionReason) => void;
  /** Elapsed ms, for the time budget (injectable so tests can exhaust it). */
  elapsed?: () => number;
  /**
   * The visitor's explicit consent by purpose (true granted, false denied, null unknown),
   * for `consent` conditions; without it they see none.
   */
  consentOf?: (ids: VisitorIds) => (purpose: string) => boolean | null;
  /** Impressions for frequency caps; without it, caps are not enforced. */
  caps?: Pick<FrequencyCaps, 'keysOf' | 'reached' | 'record'>;
}

/**
 * Answers "what should this visitor see here?" for a list of placements: the profile's
 * traits, computed traits, memberships and stage plus the request context go through each
 * placement's rules (`chooseVariant`), and the chosen variant's template is rendered. An
 * unknown visitor is decided as an empty profile, so context rules still apply and
 * everything else falls back; it is never an error.
 */
export class DecideService {
  private readonly compiledById = new Map<string, CompiledPlacement>();

  constructor(private readonly deps: DecideServiceDeps) {}

  /** Drops compiled placements (after an edit in this process). */
  forget(placementId: string): void {
    this.compiledById.delete(placementId);
  }

  decide(request: DecideRequest, source: DecideSource): DecideResponse {
    const started = this.now();
    const profile = this.deps.findVisitor({
      ...(request.userId === undefined ? {} : { userId: request.userId }),
      ...(request.anonymousId === undefined ? {} : { anonymousId: request.anonymousId }),
    });
    return this.decideWith(profile, request, source, started);
  }

  /** `decide` for a visitor whose profile the caller has already looked up (or found none). */
  decideFor(
    profile: ProfileData | undefined,
    request: DecideRequest,
    source: DecideSource,
  ): DecideResponse {
    return this.decideWith(profile, request, source, this.now());
  }

  /** Ms for the time budget (injectable so tests can exhaust it). */
  private now(): number {
    return this.deps.elapsed?.() ?? performance.now();
  }

  private decideWith(
    profile: ProfileData | undefined,
    request: DecideRequest,
    source: DecideSource,
    started: number,
  ): DecideResponse {
    const { deps } = this;
    const elapsed = () => this.now() - started;
    const placements = request.placements.map((id, i) => this.placement(id, `/placements/${i}`));
    const now = deps.clock.now();
    const context = (request.context ?? {}) as Record<string, unknown>;
    const ids: VisitorIds = { userId: request.userId, anonymousId: request.anonymousId };
    const input = this.inputOf(profile, now, context, ids);
    const holdoutKey = profile?.id ?? request.userId ?? request.anonymousId ?? '';
    const holdout = holdoutKey !== '' && inHoldout(holdoutKey, deps.holdoutPercent);
    const logged =
      request.log !== false && (request.userId !== undefined || request.anonymousId !== undefined);
    // Only a placement with caps pays for the visitor's keys (two pseudonyms).
    const caps = deps.caps;
    let capKeys: string[] | null = null;
    const keys = (): string[] => (capKeys ??= caps?.keysOf(ids) ?? []);
    const reached =
      caps === undefined ? undefined : (cap: CompiledCap) => caps.reached(keys(), cap, now);
    let scope: RenderScope | null = null;
    const render = (template: string | undefined): string | null =>
      template === undefined
        ? null
        : deps.renderer.render(template, (scope ??= this.scopeOf(profile, input, context)));
    const decisions = placements.map((placement): Decision => {
      const overBudget = elapsed() > deps.timeBudgetMs;
      let choice: VariantChoice = overBudget
        ? { variant: placement.fallback, rule: null, reason: 'time_budget' }
        : chooseVariant(placement, input, { holdout, ...(reached && { reached }) });
      let rendered: string | null;
      try {
        rendered = render(choice.variant.template);
      } catch {
        // A template that fails at render time (its loop ran past the render limit, an
        // include of nothing): the fallback, and the fallback's own failure renders nothing.
        choice = { variant: placement.fallback, rule: null, reason: 'render_error' };
        try {
          rendered = render(choice.variant.template);
        } catch {
          rendered = null;
        }
      }
      const fallback = choice.rule === null;
      if (fallback) deps.countFallback?.(choice.reason);
      else if (logged && placement.capped)
        caps?.record(keys(), capsCounting(placement, choice), now);
      return {
        placement: placement.id,
        variantId: choice.variant.id,
        payload: choice.variant.payload ?? null,
        rendered,
        ruleId: choice.rule?.id ?? null,
        reason: choice.reason,
        decisionId: deps.ids.next(),
        fallback,
      };
    });
    if (logged)
      deps.served(
        decisions.map((decision, i) => ({
          decision,
          placementVersion: (placements[i] as CompiledPlacement).version,
          userId: request.userId,
          anonymousId: request.anonymousId,
          context,
          at: now,
        })),
        source,
      );
    return { decisions };
  }

  /** A placement's compiled rules (compiled once), or undefined when there is no such placement. */
  compiled(id: string): CompiledPlacement | undefined {
    let compiled = this.compiledById.get(id);
    if (compiled === undefined) {
      const record = this.deps.placements.get(id);
      if (record === undefined) return undefined;
      compiled = compilePlacement(record);
      this.compiledById.set(id, compiled);
    }
    return compiled;
  }

  private placement(id: string, field: string): CompiledPlacement {
    const compiled = this.compiled(id);
    if (compiled === undefined)
      throw new DecisionRequestError('unknown_placement', field, `No placement ${id}`);
    return compiled;
  }

  private inputOf(
    profile: ProfileData | undefined,
    now: number,
    context: Record<string, unknown>,
    ids: VisitorIds,
  ): ConditionInput {
    const { computedTraits, rfmBreakpoints, consentOf } = this.deps;
    const members = profile?.segments.members ?? {};
    let computed: Record<string, unknown> | null = null;
    // Only a rule that tests consent looks it up.
    let consent: ((purpose: string) => boolean | null) | null = null;
    return {
      now,
      traits: profile?.traits.values ?? {},
      get computed() {
        if (profile === undefined) return {};
        return (computed ??= lazyComputedView(profile, computedTraits, now, rfmBreakpoints()));
      },
      trails: profile?.trails ?? {},
      isMember: (id) => Object.hasOwn(members, id),
      stage: profile?.segments.stage ?? null,
      consent: (purpose) =>
        consentOf === undefined ? null : (consent ??= consentOf(ids))(purpose),
      context,
    };
  }

  private scopeOf(
    profile: ProfileData | undefined,
    input: ConditionInput,
    context: Record<string, unknown>,
  ): RenderScope {
    const members = profile?.segments.members ?? {};
    return {
      traits: input.traits,
      // Only a template that uses them pays for the computed traits.
      get computed() {
        return input.computed;
      },
      segments: Object.keys(members).filter((id) => !isStageSegmentId(id)),
      stage: input.stage,
      context,
    };
  }
}
