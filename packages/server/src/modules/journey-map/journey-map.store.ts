import type { JourneyMapStages } from '@attune/contracts';

export interface StoredJourneyMap {
  version: number;
  stages: JourneyMapStages;
  updatedAt: number;
}

/** The map's definition (attune.db: primary data). */
export interface JourneyMapDefinitionStore {
  get(): StoredJourneyMap | undefined;
  /** Saves the next version; returns it. */
  put(stages: JourneyMapStages, now: number): StoredJourneyMap;
}

export interface StageTransition {
  from: string | null;
  to: string | null;
  count: number;
}

/** What the processor recorded of stages (state.db), for the report. */
export interface JourneyMapStatsStore {
  /** Profiles per current stage. */
  populations(): Map<string, number>;
  /** Moves between stages with `from <= at < to`. */
  transitions(from: number, to: number): StageTransition[];
  /**
   * For stage changes in the range: how long the profile had been in the stage it left
   * (ms), by that stage.
   */
  timesInStage(from: number, to: number): Map<string, number[]>;
}
