import type { JourneyAction, JourneyStep, StepCounter } from '@attune/contracts';
import {
  holdoutBucket,
  nextLocalTime,
  parseTimeOfDay,
  quietHoursEnd,
  type ConditionInput,
} from '@attune/engine';
import { createHash } from 'node:crypto';
import { channelOf, journeyDurationMs, purposeOf } from './action-kinds.js';
import type { CompiledJourney } from './journey-definition.js';
import type { JourneyStore, RunRecord } from './journey.store.js';

/** An action to perform outside the transaction (it does I/O); its run waits in `sending`. */
export interface ActionJob {
  actionId: string;
  run: RunRecord;
  journey: CompiledJourney;
  step: string;
  action: JourneyAction;
  /** 1 for the first attempt. */
  attempt: number;
}

/** What the step machine reads about a profile. */
export interface JourneyProfiles {
  /** The profile as conditions see it at `now`, or undefined when it no longer exists. */
  input(profileId: string, now: number): ConditionInput | undefined;
  /** Sync consent check (`ConsentService.allowsProfile`). */
  allows(profileId: string, purpose: string): boolean;
  /** The profile's IANA time zone (its `timezone` trait when valid, else the default). */
  timeZoneOf(input: ConditionInput | undefined): string;
}

/** More steps than this in one go means a definition bug: the run is parked, not spun. */
const maxHopsPerAdvance = 200;

/**
 * The idempotency key of an action: journey, version, profile, step and entry. A crash
 * between an action and its commit finds the same id on restart.
 */
export function actionIdOf(run: RunRecord, step: string): string {
  const key = `${run.journeyId}\u0000${run.version}\u0000${run.profileId}\u0000${step}\u0000${run.entrySeq}`;
  return `act_${createHash('sha256').update(key).digest('base64url').slice(0, 24)}`;
}

/**
 * Moves runs through their steps, synchronously, inside the caller's transaction: until a
 * run waits (a timer, an event, quiet hours, a retry), ends, or has an action to perform.
 */
export class JourneySteps {
  constructor(
    private readonly store: JourneyStore,
    private readonly profiles: JourneyProfiles,
  ) {}

  count(run: RunRecord, step: string, counter: StepCounter): void {
    this.store.countStep(run.journeyId, step, counter);
  }

  /** The run moves on to `next` (or completes without one) and will run it now. */
  goTo(run: RunRecord, next: string | undefined, now: number): void {
    if (next === undefined) return this.end(run, 'completed', now);
    run.step = next;
    run.state = 'ready';
    run.wakeAt = now;
    run.attempts = 0;
    this.count(run, next, 'entered');
  }

  end(run: RunRecord, state: 'completed' | 'exited' | 'converted', now: number): void {
    run.state = state;
    run.endedAt = now;
    run.wakeAt = null;
  }

  /** Advances a ready or due run; saves it; returns the action job it stopped at, if any. */
  advance(run: RunRecord, journey: CompiledJourney, now: number): ActionJob | null {
    let job: ActionJob | null = null;
    for (let hops = 0; hops < maxHopsPerAdvance && job === null; hops++) {
      if (run.state !== 'ready' && run.state !== 'waiting') break;
      const step = journey.definition.steps[run.step];
      if (step === undefined) {
        this.end(run, 'completed', now);
        break;
      }
      const outcome = this.run(run, journey, step, now);
      if (outcome === 'stop') break;
      if (typeof outcome === 'object') job = outcome;
    }
    if (run.state === 'ready' && job === null) {
      // Hop limit: park it a minute rather than spin (definitions are checked for loops).
      run.state = 'waiting';
      run.wakeAt = now + 60_000;
    }
    this.store.updateRun(run);
    return job;
  }

  /** One step: 'stop' when the run now waits or ended, 'next' to go on, or a job. */
  private run(
    run: RunRecord,
    journey: CompiledJourney,
    step: JourneyStep,
    now: number,
  ): 'stop' | 'next' | ActionJob {
    const arriving = run.state === 'ready';
    switch (step.type) {
      case 'wait':
        if (!arriving) return (this.goTo(run, step.next, now), 'next');
        run.state = 'waiting';
        run.wakeAt =
          step.duration !== undefined
            ? now + journeyDurationMs(step.duration)
            : nextLocalTime(
                now,
                parseTimeOfDay(step.until ?? '00:00') ?? 0,
                this.profiles.timeZoneOf(this.profiles.input(run.profileId, now)),
              );
        return 'stop';
      case 'wait_for':
        if (!arriving) return (this.goTo(run, step.onTimeout, now), 'next');
        run.state = 'waiting';
        run.wakeAt = now + journeyDurationMs(step.timeout);
        return 'stop';
      case 'branch': {
        const input = this.profiles.input(run.profileId, now);
        const index = step.branches.findIndex(
          (_b, i) =>
            input !== undefined &&
            (journey.conditions
              .get(`/steps/${run.step}/branches/${i}/condition`)
              ?.evaluate(input) ??
              false),
        );
        this.goTo(run, index < 0 ? step.otherwise : step.branches[index]?.next, now);
        return 'next';
      }
      case 'split': {
        const bucket = holdoutBucket(`split:${run.journeyId}:${run.step}:${run.profileId}`) / 100;
        let upTo = 0;
        const path = step.paths.find((p) => bucket < (upTo += p.percent)) ?? step.paths.at(-1);
        this.goTo(run, path?.next, now);
        return 'next';
      }
      case 'exit':
        this.end(run, 'completed', now);
        return 'stop';
      case 'action':
        return this.action(run, journey, step, now);
    }
  }

  /** Quiet hours, consent and caps, in that order; then the job (or a skip to `next`). */
  private action(
    run: RunRecord,
    journey: CompiledJourney,
    step: Extract<JourneyStep, { type: 'action' }>,
    now: number,
  ): 'stop' | 'next' | ActionJob {
    const stepId = run.step;
    const actionId = actionIdOf(run, stepId);
    const done = this.store.action(actionId);
    // Done before (a replayed due time, a crash after the commit): never again.
    if (done !== undefined && done.status !== 'sending')
      return (this.goTo(run, step.next, now), 'next');
    const { action } = step;
    const channel = channelOf(action);
    const purpose = purposeOf(action);
    const first = run.attempts === 0;
    const record = (status: 'suppressed' | 'sending', lastError: string | null = null) =>
      this.store.saveAction({
        actionId,
        runId: run.runId,
        journeyId: run.journeyId,
        version: run.version,
        profileId: run.profileId,
        step: stepId,
        kind: action.type,
        status,
        attempts: run.attempts,
        lastError,
        updatedAt: now,
      });
    if (channel !== null && journey.definition.quietHours !== undefined) {
      const { from, to } = journey.definition.quietHours;
      const zone = this.profiles.timeZoneOf(this.profiles.input(run.profileId, now));
      const end = quietHoursEnd(
        now,
        { from: parseTimeOfDay(from) ?? 0, to: parseTimeOfDay(to) ?? 0 },
        zone,
      );
      if (end !== null) {
        run.state = 'waiting';
        run.wakeAt = end;
        return 'stop';
      }
    }
    if (purpose !== null && !this.profiles.allows(run.profileId, purpose)) {
      record('suppressed');
      if (!first) this.store.removeSend(actionId);
      this.count(run, stepId, 'suppressedConsent');
      return (this.goTo(run, step.next, now), 'next');
    }
    if (channel !== null && first) {
      for (const cap of journey.definition.caps ?? []) {
        if (cap.channel !== channel) continue;
        const sent = this.store.sendsSince(
          run.profileId,
          channel,
          now - journeyDurationMs(cap.per),
        );
        if (sent >= cap.max) {
          record('suppressed');
          this.count(run, stepId, 'suppressedCap');
          return (this.goTo(run, step.next, now), 'next');
        }
      }
      // Counted from now, so a second journey's send in the meantime sees this one.
      this.store.addSend(run.profileId, channel, now, actionId);
    }
    run.attempts += 1;
    run.state = 'sending';
    run.wakeAt = null;
    record('sending', done?.lastError ?? null);
    return { actionId, run: { ...run }, journey, step: stepId, action, attempt: run.attempts };
  }
}
