import type { JourneyInput, JourneyStep } from '@attune/contracts';
import {
  compileJourney,
  type CompiledJourney,
  type DefinitionContext,
} from './journey-definition.js';
import type { JourneyStore } from './journey.store.js';

/** Stored versions compile without checks of the moment (a segment deleted since, say). */
const storedContext: DefinitionContext = {
  segmentExists: () => true,
  templateProblem: () => null,
  emailUnavailable: null,
  webhooksUnavailable: null,
  purposeExists: () => true,
};

/**
 * Compiled journeys: the current versions (which admit entries) and any older version a
 * profile is still in (runs finish on the version they entered). Also which event names
 * any of them listen to, so the follower reads only the events that matter.
 */
export class JourneyRegistry {
  private active: CompiledJourney[] = [];
  private readonly versions = new Map<string, CompiledJourney>();
  private watched = new Set<string>();

  constructor(private readonly store: JourneyStore) {}

  /** Re-reads the current versions; call after any definition changes. */
  reload(): void {
    this.active = this.store.currentJourneys().map((stored) => {
      const compiled = this.version(stored.id, stored.version);
      if (compiled === undefined)
        throw new Error(`journey ${stored.id} v${stored.version} vanished`);
      return compiled;
    });
    this.rewatch();
  }

  /** Current versions that admit entries (not paused). */
  admitting(): CompiledJourney[] {
    return this.active.filter((j) => j.definition.paused !== true);
  }

  version(id: string, version: number): CompiledJourney | undefined {
    const key = `${id}\u0000${version}`;
    let compiled = this.versions.get(key);
    if (compiled === undefined) {
      const text = this.store.definitionOf(id, version);
      if (text === undefined) return undefined;
      compiled = compileJourney(id, version, JSON.parse(text) as JourneyInput, storedContext);
      this.versions.set(key, compiled);
      this.rewatch();
    }
    return compiled;
  }

  /** Whether an event of this name can enter, move, convert or exit anybody. */
  watches(event: string): boolean {
    return this.watched.has(event);
  }

  private rewatch(): void {
    const names = new Set<string>();
    for (const journey of [...this.active, ...this.versions.values()]) {
      const d = journey.definition;
      if ('event' in d.entry) names.add(d.entry.event);
      if (d.goal !== undefined) names.add(d.goal.event);
      for (const exit of d.exitOn ?? []) names.add(exit.event);
      for (const step of Object.values<JourneyStep>(d.steps))
        if (step.type === 'wait_for') names.add(step.event);
    }
    this.watched = names;
  }
}
