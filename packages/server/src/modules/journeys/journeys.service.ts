import {
  stepCounters,
  type DeadLetterList,
  type JourneyInput,
  type JourneyStats,
  type JourneyView,
  type StepCounter,
} from '@attune/contracts';
import { formatIsoTimestamp } from '@attune/engine';
import type { Clock } from '../../platform/clock.js';
import { slugOf } from '../segments/segments.service.js';
import {
  compileJourney,
  JourneyDefinitionError,
  type DefinitionContext,
} from './journey-definition.js';
import type { JourneyRegistry } from './journey-registry.js';
import type { JourneyStore, StoredJourney } from './journey.store.js';

export class JourneyNotFoundError extends Error {}
export class JourneyConflictError extends Error {}

export interface JourneysServiceDeps {
  store: JourneyStore;
  registry: JourneyRegistry;
  context: DefinitionContext;
  clock: Clock;
}

/** Journey definitions (versioned) and what they did. */
export class JourneysService {
  constructor(private readonly deps: JourneysServiceDeps) {}

  create(input: JourneyInput): JourneyView {
    const { store, clock } = this.deps;
    const id = input.id ?? this.freeIdFor(input.name);
    if (store.journey(id) !== undefined)
      throw new JourneyConflictError(
        `Journey ${id} exists; PUT /v1/journeys/${id} makes a new version`,
      );
    return this.save(id, { ...input, id }, clock.now());
  }

  update(id: string, input: JourneyInput): JourneyView {
    if (this.deps.store.journey(id) === undefined)
      throw new JourneyNotFoundError(`No journey ${id}`);
    if (input.id !== undefined && input.id !== id)
      throw new JourneyDefinitionError(
        'invalid_journey',
        '/id',
        `The id is ${id}; it cannot change`,
      );
    return this.save(id, { ...input, id }, this.deps.clock.now());
  }

  delete(id: string): void {
    const { store, registry, clock } = this.deps;
    if (!store.markDeleted(id, clock.now())) throw new JourneyNotFoundError(`No journey ${id}`);
    registry.reload();
  }

  list(): JourneyView[] {
    return this.deps.store.currentJourneys().map(toView);
  }

  get(id: string): JourneyView {
    const stored = this.deps.store.journey(id);
    if (stored === undefined) throw new JourneyNotFoundError(`No journey ${id}`);
    return toView(stored);
  }

  stats(id: string): JourneyStats {
    const { store } = this.deps;
    const stored = store.journey(id);
    if (stored === undefined) throw new JourneyNotFoundError(`No journey ${id}`);
    const definition = JSON.parse(stored.definition) as JourneyInput;
    const steps: JourneyStats['steps'] = {};
    const stepOf = (step: string) =>
      (steps[step] ??= {
        ...(Object.fromEntries(stepCounters.map((c) => [c, 0])) as Record<StepCounter, number>),
        waiting: 0,
      });
    for (const step of Object.keys(definition.steps)) stepOf(step);
    for (const { step, counter, n } of store.stepCounts(id)) stepOf(step)[counter] = n;
    const { byStep, byState } = store.runCounts(id);
    for (const [step, n] of byStep) stepOf(step).waiting = n;
    const ended = (state: 'completed' | 'exited' | 'converted') => byState.get(state) ?? 0;
    const active = [...byStep.values()].reduce((a, b) => a + b, 0);
    const converted = Object.values(steps).reduce((sum, s) => sum + s.converted, 0);
    return {
      journeyId: id,
      version: stored.version,
      totals: {
        entered: active + ended('completed') + ended('exited') + ended('converted'),
        active,
        completed: ended('completed'),
        exited: ended('exited'),
        converted,
      },
      steps,
    };
  }

  deadLetters(id: string, limit: number): DeadLetterList {
    const { store } = this.deps;
    if (store.journey(id) === undefined) throw new JourneyNotFoundError(`No journey ${id}`);
    return {
      deadLetters: store.deadLetters(id, limit).map((a) => {
        const definition = JSON.parse(
          store.definitionOf(a.journeyId, a.version) ?? '{}',
        ) as JourneyInput;
        const step = definition.steps?.[a.step];
        return {
          actionId: a.actionId,
          journeyId: a.journeyId,
          version: a.version,
          profileId: a.profileId,
          step: a.step,
          url: step?.type === 'action' && step.action.type === 'webhook' ? step.action.url : '',
          attempts: a.attempts,
          lastError: a.lastError ?? '',
          at: formatIsoTimestamp(a.updatedAt),
        };
      }),
    };
  }

  private save(id: string, definition: JourneyInput, now: number): JourneyView {
    const { store, registry, context } = this.deps;
    compileJourney(id, 0, definition, context);
    store.transaction(() => store.saveVersion(id, JSON.stringify(definition), now));
    registry.reload();
    return this.get(id);
  }

  private freeIdFor(name: string): string {
    const base = slugOf(name).replace(/^segment$/, 'journey');
    let id = base;
    for (let n = 2; this.deps.store.journey(id) !== undefined; n++) id = `${base}-${n}`;
    return id;
  }
}

function toView(stored: StoredJourney): JourneyView {
  return {
    id: stored.id,
    version: stored.version,
    definition: JSON.parse(stored.definition) as unknown,
    createdAt: formatIsoTimestamp(stored.createdAt),
    updatedAt: formatIsoTimestamp(stored.updatedAt),
  };
}
