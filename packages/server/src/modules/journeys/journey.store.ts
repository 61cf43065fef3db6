import type { StepCounter } from '@attune/contracts';

/** ready: run its step now · waiting: until wakeAt (or an event) · sending: an action is out. */
export const activeStates = ['ready', 'waiting', 'sending'] as const;
export type RunState = (typeof activeStates)[number] | 'completed' | 'exited' | 'converted';

/** One entry of a profile into a journey. */
export interface RunRecord {
  runId: string;
  journeyId: string;
  version: number;
  profileId: string;
  /** The profile's n-th entry into this journey. */
  entrySeq: number;
  step: string;
  state: RunState;
  wakeAt: number | null;
  enteredAt: number;
  endedAt: number | null;
  /** A goal event up to then counts as a conversion, even after the run ended. */
  goalUntil: number | null;
  convertedAt: number | null;
  /** The entry event's log offset (templates read it), if an event caused the entry. */
  triggerOffset: number | null;
  /** Delivery attempts of the current action step. */
  attempts: number;
}

export type ActionStatus = 'sending' | 'sent' | 'failed' | 'suppressed' | 'unknown' | 'dead';

export interface ActionRecord {
  actionId: string;
  runId: string;
  journeyId: string;
  version: number;
  profileId: string;
  step: string;
  kind: string;
  status: ActionStatus;
  attempts: number;
  lastError: string | null;
  updatedAt: number;
}

export interface StoredJourney {
  id: string;
  version: number;
  definition: string;
  createdAt: number;
  updatedAt: number;
}

export interface StepCount {
  step: string;
  counter: StepCounter;
  n: number;
}

/** Where journeys keep definitions and runs (journeys.db). All calls are synchronous. */
export interface JourneyStore {
  transaction<T>(work: () => T): T;

  /** Appends a version (1 for a new id); returns it. */
  saveVersion(id: string, definition: string, at: number): number;
  markDeleted(id: string, at: number): boolean;
  /** The current version of each journey not deleted. */
  currentJourneys(): StoredJourney[];
  journey(id: string): StoredJourney | undefined;
  /** A version's definition, deleted or not (runs finish on the version they entered). */
  definitionOf(id: string, version: number): string | undefined;

  /** Whether any journey was ever defined (deleted ones keep their versions). */
  anyJourney(): boolean;

  cursor(): number;
  /** Moves the cursor inside a transaction that commits what was followed with it. */
  setCursor(offset: number): void;
  /**
   * Moves the cursor past events no journey wanted, in its own commit that does not wait
   * for the disk: it survives a crash of the process, and a power failure only means
   * reading those events again. The follower moves it many times a second under load.
   */
  skipTo(offset: number): void;

  run(runId: string): RunRecord | undefined;
  latestRun(journeyId: string, profileId: string): RunRecord | undefined;
  /** Runs of the profile that are active or still watch their goal at `now`. */
  liveRunsOf(profileId: string, now: number): RunRecord[];
  insertRun(run: RunRecord): void;
  updateRun(run: RunRecord): void;
  /** Ready and waiting runs whose time has come, earliest first. */
  dueRuns(now: number, limit: number): RunRecord[];
  /** Runs left `sending` by a crash. */
  sendingRuns(): RunRecord[];
  countStep(journeyId: string, step: string, counter: StepCounter, n?: number): void;

  action(actionId: string): ActionRecord | undefined;
  saveAction(action: ActionRecord): void;
  deadLetters(journeyId: string, limit: number): ActionRecord[];

  sendsSince(profileId: string, channel: string, since: number): number;
  addSend(profileId: string, channel: string, at: number, actionId: string): void;
  removeSend(actionId: string): void;

  stepCounts(journeyId: string): StepCount[];
  /** Active runs by step, and runs by end state. */
  runCounts(journeyId: string): { byStep: Map<string, number>; byState: Map<RunState, number> };

  /** A merge: the merged profile's runs and sends continue as the survivor's. */
  moveProfile(from: string, to: string): void;
  /** Erasure: every run, action and send of these profiles; returns the rows removed. */
  forgetProfiles(profileIds: readonly string[]): number;
}
