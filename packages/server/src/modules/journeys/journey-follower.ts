import type { ConditionInput } from '@attune/engine';
import type { EventFields, EventLog } from '../event-log/event-log.store.js';
import { internalSourceId } from '../event-log/internal-events.js';
import type { Clock } from '../../platform/clock.js';
import { eventMatches, type CompiledJourney } from './journey-definition.js';
import type { JourneyRegistry } from './journey-registry.js';
import type { JourneySteps } from './journey-steps.js';
import { activeStates, type JourneyStore, type RunRecord } from './journey.store.js';

export interface FollowerDeps {
  store: JourneyStore;
  registry: JourneyRegistry;
  steps: JourneySteps;
  log: Pick<EventLog, 'readFields' | 'readOffsets'>;
  profiles: {
    idOf(ids: { userId: string | null; anonymousId: string | null }): string | undefined;
    input(profileId: string, now: number): ConditionInput | undefined;
  };
  clock: Clock;
  batchSize: number;
}

const mergedEvent = 'Identity Merged';
const segmentEntered = 'Segment Entered';
const stageEntered = 'Stage Entered';
const isActive = (run: RunRecord) => (activeStates as readonly string[]).includes(run.state);

/**
 * Reads the event log behind the processor (so profiles already reflect each event) and
 * turns events into journey moves: entries, wait_for answers, goals and exits. Its cursor
 * commits with the runs it creates, so an event enters a profile once across crashes.
 */
export class JourneyFollower {
  constructor(private readonly deps: FollowerDeps) {}

  /** Follows the log up to `through`; true when a batch was read (more may follow). */
  async pump(through: number): Promise<boolean> {
    const { store, log, batchSize } = this.deps;
    const from = store.cursor();
    if (from >= through) return false;
    // Without journeys there are no runs to move or answer: nothing to read.
    if (!store.anyJourney()) {
      store.skipTo(through);
      return false;
    }
    const fields = (await log.readFields(from, batchSize)).filter((e) => e.offset <= through);
    if (fields.length === 0) return false;
    const wanted = fields.filter((e) => this.wanted(e)).map((e) => e.offset);
    const events = wanted.length === 0 ? [] : await log.readOffsets(wanted);
    const last = (fields.at(-1) as EventFields).offset;
    if (events.length === 0) {
      if (store.cursor() === from) store.skipTo(last); // else another pump got here first
      return true;
    }
    store.transaction(() => {
      if (store.cursor() !== from) return; // Another pump got here first.
      for (const event of events) {
        const message = JSON.parse(event.message) as { properties?: Record<string, unknown> };
        this.follow(event, message.properties ?? {});
      }
      store.setCursor(last);
    });
    return true;
  }

  private wanted(e: EventFields): boolean {
    if (e.type !== 'track' || e.event === null) return false;
    if (e.sourceId === internalSourceId)
      return e.event === mergedEvent || e.event === segmentEntered || e.event === stageEntered;
    return this.deps.registry.watches(e.event);
  }

  private follow(e: EventFields, properties: Record<string, unknown>): void {
    const { registry, profiles, clock } = this.deps;
    const now = clock.now();
    if (e.sourceId === internalSourceId) {
      const profileId = e.anonymousId;
      if (profileId === null) return;
      if (e.event === mergedEvent) {
        const { mergedId, survivorId } = properties;
        if (typeof mergedId === 'string' && typeof survivorId === 'string')
          this.deps.store.moveProfile(mergedId, survivorId);
        return;
      }
      for (const journey of registry.admitting()) {
        const { entry } = journey.definition;
        const enters =
          (e.event === segmentEntered &&
            'segment' in entry &&
            entry.segment === properties['segmentId']) ||
          (e.event === stageEntered && 'stage' in entry && entry.stage === properties['stage']);
        if (enters) this.enter(journey, profileId, null, now);
      }
      return;
    }
    const profileId = profiles.idOf({ userId: e.userId, anonymousId: e.anonymousId });
    if (profileId === undefined) return;
    // Runs first: an entry event does not answer the wait it starts.
    for (const run of this.deps.store.liveRunsOf(profileId, now))
      this.react(run, e.event, properties, now);
    for (const journey of registry.admitting()) {
      const { entry } = journey.definition;
      if ('event' in entry && eventMatches(entry, e.event, properties, e.timestamp))
        this.enter(journey, profileId, e.offset, now);
    }
  }

  private react(
    run: RunRecord,
    name: string | null,
    properties: Record<string, unknown>,
    now: number,
  ): void {
    const journey = this.deps.registry.version(run.journeyId, run.version);
    if (journey === undefined) return;
    const { steps, store } = this.deps;
    const { goal, exitOn } = journey.definition;
    const active = isActive(run);
    if (
      goal !== undefined &&
      run.convertedAt === null &&
      run.goalUntil !== null &&
      now <= run.goalUntil &&
      eventMatches(goal, name, properties, now)
    ) {
      run.convertedAt = now;
      steps.count(run, run.step, 'converted');
      if (active) steps.end(run, 'converted', now);
      store.updateRun(run);
      return;
    }
    if (!active) return;
    if ((exitOn ?? []).some((filter) => eventMatches(filter, name, properties, now))) {
      steps.count(run, run.step, 'exited');
      steps.end(run, 'exited', now);
      store.updateRun(run);
      return;
    }
    const step = journey.definition.steps[run.step];
    if (
      step?.type === 'wait_for' &&
      (run.state === 'waiting' || run.state === 'ready') &&
      eventMatches(step, name, properties, now)
    ) {
      steps.goTo(run, step.onEvent, now);
      store.updateRun(run);
    }
  }

  private enter(
    journey: CompiledJourney,
    profileId: string,
    offset: number | null,
    now: number,
  ): void {
    const { store, steps, profiles } = this.deps;
    const { definition } = journey;
    const last = store.latestRun(journey.id, profileId);
    if (last !== undefined) {
      if (isActive(last)) return;
      const reentry = definition.reentry ?? { policy: 'never' };
      if (reentry.policy === 'never') return;
      if (reentry.policy === 'after' && now - last.enteredAt < reentry.days * 86_400_000) return;
    }
    const entryCondition = journey.conditions.get('/entry/condition');
    if (entryCondition !== undefined) {
      const input = profiles.input(profileId, now);
      if (input === undefined || !entryCondition.evaluate(input)) return;
    }
    const entrySeq = (last?.entrySeq ?? 0) + 1;
    const run: RunRecord = {
      runId: `${journey.id}:${profileId}:${entrySeq}`,
      journeyId: journey.id,
      version: journey.version,
      profileId,
      entrySeq,
      step: definition.start,
      state: 'ready',
      wakeAt: now,
      enteredAt: now,
      endedAt: null,
      goalUntil: definition.goal === undefined ? null : now + journey.goalWithinMs,
      convertedAt: null,
      triggerOffset: offset,
      attempts: 0,
    };
    store.insertRun(run);
    steps.count(run, definition.start, 'entered');
  }
}
